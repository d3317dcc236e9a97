import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

/// The exports on PostgreSQL: the same rows, filters and order as
/// `SQLiteResultStore+Export.swift`, keyset-paged on integer ids (`results.id`, and
/// `machine_curves.id` from migration 0013, which SQLite's rowid stands for there).
extension PostgresResultStore: ExportStore {
    /// Pages over `results` by id: each page is an index range scan from the cursor.
    public func exportSamples(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<
        ExportSampleRow
    > {
        let limit = max(1, limit)
        var binds = PostgresBindings()
        binds.append(cursor ?? Int64.min)
        let condition = Self.exportCondition(filter, since: "s.received_at", binds: &binds)
        binds.append(limit)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT r.id AS result_id, r.benchmark, r.benchmark_version, r.procs, r.nursery_bytes, r.payload,
                    r.library, r.samples, s.id AS submission_id, s.received_at, s.source,
                    i.implementation, i.version, \(Self.exportMachineColumns)
                FROM results r
                JOIN submissions s ON s.id = r.submission_id
                JOIN machines m ON m.id = s.machine_id
                JOIN interpreters i ON i.id = s.interpreter_id
                LEFT JOIN installs n ON n.id = s.install_id
                WHERE r.id > $1 AND NOT \(Self.effectiveQuarantine) AND \(condition)
                ORDER BY r.id LIMIT $\(binds.count)
                """, binds: binds)
        var last: Int64?
        var results = 0
        let pages = try await rows(query).map { row -> [ExportSampleRow] in
            last = try row.decoded("result_id")
            results += 1
            let machine = try Self.exportMachine(row)
            let submissionID = try Self.uuid(row["submission_id"])
            let receivedAt = StoreTime.date(milliseconds: try row.decoded("received_at"))
            let params = ResultParams(
                procs: try row.decoded("procs"), nurseryBytes: try row.decoded("nursery_bytes"),
                payload: try row.decoded("payload"), library: try row.decoded("library"))
            let source: String = try row.decoded("source")
            let implementation: String = try row.decoded("implementation")
            let version: String = try row.decoded("version")
            let benchmark: String = try row.decoded("benchmark")
            let benchmarkVersion: String = try row.decoded("benchmark_version")
            return try SampleBlob.decode(try row.decoded("samples")).map { sample in
                ExportSampleRow(
                    submissionID: submissionID, receivedAt: receivedAt, source: source, machine: machine,
                    implementation: implementation, interpreterVersion: version, benchmark: benchmark,
                    benchmarkVersion: benchmarkVersion, params: params, sample: sample)
            }
        }
        return ExportPage(rows: pages.flatMap { $0 }, next: results == limit ? last : nil)
    }

    /// Pages over `machine_curves` by id. Curves of quarantined machines (or machines whose every
    /// submission is hidden) are left out.
    public func exportCurves(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<
        ExportCurveRow
    > {
        let limit = max(1, limit)
        var curveFilter = filter
        // The curve's own columns carry the interpreter; the shared condition names `i.`.
        curveFilter.implementation = nil
        curveFilter.version = nil
        var binds = PostgresBindings()
        binds.append(cursor ?? Int64.min)
        var condition = Self.exportCondition(curveFilter, since: "mc.updated_at", binds: &binds)
        if let implementation = filter.implementation {
            binds.append(implementation)
            condition += " AND mc.implementation = $\(binds.count)"
        }
        if let version = filter.version {
            binds.append(version)
            condition += " AND mc.interpreter_version = $\(binds.count)"
        }
        binds.append(limit)
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT mc.*, \(Self.exportMachineColumns)
                FROM machine_curves mc JOIN machines m ON m.id = mc.machine_id
                WHERE mc.id > $1 AND \(Self.visibleMachine) AND \(condition)
                ORDER BY mc.id LIMIT $\(binds.count)
                """, binds: binds)
        var last: Int64?
        let curves = try await rows(query).map { row in
            last = try row.decoded("id")
            return ExportCurveRow(
                machine: try Self.exportMachine(row), implementation: try row.decoded("implementation"),
                interpreterVersion: try row.decoded("interpreter_version"), benchmark: try row.decoded("benchmark"),
                benchmarkVersion: try row.decoded("benchmark_version"), procs: try row.decoded("procs"),
                pypyGCMinPinned: try row.decoded("pypy_gc_min_pinned"),
                submissionCount: try row.decoded("submission_count"), roundCount: try row.decoded("round_count"),
                defaultNurseryBytes: try row.decoded("default_nursery_bytes"),
                bestNurseryBytes: try row.decoded("best_nursery_bytes"),
                bestRelativeTime: try row.decoded("best_relative_time"),
                intervalLowerBytes: try row.decoded("interval_lower_bytes"),
                intervalUpperBytes: try row.decoded("interval_upper_bytes"),
                intervalConfidence: try row.decoded("interval_confidence"),
                gainOverDefault: try row.decoded("gain_over_default"), pointsJSON: try row.decoded("points_json"),
                flatSetJSON: try row.decoded("flat_set_json"),
                updatedAt: StoreTime.date(milliseconds: try row.decoded("updated_at")))
        }
        return ExportPage(rows: curves, next: curves.count == limit ? last : nil)
    }

    /// Counts and maxima that move with every change an export could show, in one statement:
    /// stored submissions (count, newest receipt), moderation and deletion (the audit log, which
    /// is append-only, by its count), and rewritten curve summaries. SQLite adds the highest
    /// submission rowid; submissions have no integer id here, and a deletion moves the audit
    /// count anyway. Counts rather than maximum ids because identity values are not in commit
    /// order: an entry committed late under a lower id would leave a maximum unchanged.
    public func exportRevision() async throws -> String {
        try await rows(
            """
            SELECT (SELECT count(*) FROM submissions) AS submissions, (SELECT max(received_at) FROM submissions) AS newest,
                (SELECT count(*) FROM audit_log) AS audit, (SELECT count(*) FROM machine_curves) AS curves,
                (SELECT max(updated_at) FROM machine_curves) AS curves_newest
            """
        ).map { row in
            try ["submissions", "newest", "audit", "curves", "curves_newest"].map { column in
                try row.decoded(column, as: Int64?.self).map(String.init) ?? "-"
            }.joined(separator: ".")
        }.first ?? "-"
    }

    // MARK: SQL pieces

    /// The machine columns every export reads (hardware only: never `hardware_json`, which is
    /// the raw report, nor anything about installs).
    static let exportMachineColumns = """
        m.id AS export_machine_id, m.arch AS export_arch, m.cpu_vendor AS export_cpu_vendor,
        m.cpu_model AS export_cpu_model, m.physical_cores, m.logical_cpus, m.memory_bytes, m.l2_bytes, m.l3_bytes,
        m.cpuinfo_cache_bytes, m.virtualized
        """

    /// The filter as a SQL condition over `m` (machines) and `i` (interpreters), its values
    /// appended to `binds`; `since` compares against the given millisecond column.
    static func exportCondition(_ filter: ExportFilter, since column: String, binds: inout PostgresBindings) -> String {
        var clauses = ["true"]
        if let since = filter.since {
            binds.append(StoreTime.milliseconds(since))
            clauses.append("\(column) >= $\(binds.count)")
        }
        for (column, value) in [
            ("i.implementation", filter.implementation), ("i.version", filter.version), ("m.arch", filter.arch),
            ("m.cpu_vendor", filter.cpuVendor), ("m.id", filter.machine),
        ] {
            if let value {
                binds.append(value)
                clauses.append("\(column) = $\(binds.count)")
            }
        }
        return clauses.joined(separator: " AND ")
    }

    /// The exported machine from a row holding ``exportMachineColumns``.
    static func exportMachine(_ row: PostgresRandomAccessRow) throws -> ExportMachine {
        ExportMachine(
            id: try row.decoded("export_machine_id"), arch: try row.decoded("export_arch"),
            cpuVendor: try row.decoded("export_cpu_vendor"), cpuModel: try row.decoded("export_cpu_model"),
            physicalCores: try row.decoded("physical_cores"), logicalCPUs: try row.decoded("logical_cpus"),
            memoryBytes: try row.decoded("memory_bytes"), l2Bytes: try row.decoded("l2_bytes"),
            l3Bytes: try row.decoded("l3_bytes"), cpuinfoCacheBytes: try row.decoded("cpuinfo_cache_bytes"),
            virtualized: try row.decoded("virtualized"))
    }
}
