import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore: ExportStore {
    /// Pages over `results` by their integer id: each page is an index range scan from the
    /// cursor, whatever the table's size, and rows are mapped to Sendable values inside the read.
    public func exportSamples(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<
        ExportSampleRow
    > {
        let limit = max(1, limit)
        let (condition, arguments) = Self.exportCondition(filter, since: "s.received_at")
        return try await writer.read { db -> ExportPage<ExportSampleRow> in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id AS result_id, r.benchmark, r.benchmark_version, r.procs, r.nursery_bytes, r.payload,
                        r.library, r.samples, s.id AS submission_id, s.received_at, s.source,
                        i.implementation, i.version, \(Self.exportMachineColumns)
                    FROM results r
                    JOIN submissions s ON s.id = r.submission_id
                    JOIN machines m ON m.id = s.machine_id
                    JOIN interpreters i ON i.id = s.interpreter_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE r.id > ? AND NOT \(Self.effectiveQuarantine) AND \(condition)
                    ORDER BY r.id LIMIT ?
                    """, arguments: StatementArguments([cursor ?? Int64.min]) + arguments + [limit])
            var samples: [ExportSampleRow] = []
            for row in rows {
                let machine = Self.exportMachine(row)
                let submissionID = try Self.uuid(row["submission_id"])
                let receivedAt = StoreTime.date(milliseconds: row["received_at"])
                let params = ResultParams(
                    procs: row["procs"], nurseryBytes: row["nursery_bytes"], payload: row["payload"],
                    library: row["library"])
                for sample in try SampleBlob.decode(row["samples"]) {
                    samples.append(
                        ExportSampleRow(
                            submissionID: submissionID, receivedAt: receivedAt, source: row["source"],
                            machine: machine, implementation: row["implementation"], interpreterVersion: row["version"],
                            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], params: params,
                            sample: sample))
                }
            }
            let last: Int64? = rows.last?["result_id"]
            return ExportPage(rows: samples, next: rows.count == limit ? last : nil)
        }
    }

    /// Pages over `machine_curves` by rowid. Curves of quarantined machines (or machines whose
    /// every submission is hidden) are left out; the summaries themselves are computed from
    /// visible submissions only.
    public func exportCurves(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<
        ExportCurveRow
    > {
        let limit = max(1, limit)
        var curveFilter = filter
        // The curve's own columns carry the interpreter; the shared condition names `i.`.
        let implementation = curveFilter.implementation
        let version = curveFilter.version
        curveFilter.implementation = nil
        curveFilter.version = nil
        var (condition, arguments) = Self.exportCondition(curveFilter, since: "mc.updated_at")
        if let implementation {
            condition += " AND mc.implementation = ?"
            arguments += [implementation]
        }
        if let version {
            condition += " AND mc.interpreter_version = ?"
            arguments += [version]
        }
        return try await writer.read { [condition, arguments] db -> ExportPage<ExportCurveRow> in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT mc.rowid AS curve_rowid, mc.*, \(Self.exportMachineColumns)
                    FROM machine_curves mc JOIN machines m ON m.id = mc.machine_id
                    WHERE mc.rowid > ? AND \(Self.visibleMachine) AND \(condition)
                    ORDER BY mc.rowid LIMIT ?
                    """, arguments: StatementArguments([cursor ?? Int64.min]) + arguments + [limit])
            let curves = rows.map { row in
                ExportCurveRow(
                    machine: Self.exportMachine(row), implementation: row["implementation"],
                    interpreterVersion: row["interpreter_version"], benchmark: row["benchmark"],
                    benchmarkVersion: row["benchmark_version"], procs: row["procs"],
                    pypyGCMinPinned: row["pypy_gc_min_pinned"], submissionCount: row["submission_count"],
                    roundCount: row["round_count"], defaultNurseryBytes: row["default_nursery_bytes"],
                    bestNurseryBytes: row["best_nursery_bytes"], bestRelativeTime: row["best_relative_time"],
                    intervalLowerBytes: row["interval_lower_bytes"], intervalUpperBytes: row["interval_upper_bytes"],
                    intervalConfidence: row["interval_confidence"], gainOverDefault: row["gain_over_default"],
                    pointsJSON: row["points_json"], flatSetJSON: row["flat_set_json"],
                    updatedAt: StoreTime.date(milliseconds: row["updated_at"]))
            }
            let last: Int64? = rows.last?["curve_rowid"]
            return ExportPage(rows: curves, next: rows.count == limit ? last : nil)
        }
    }

    /// Counts and maxima that move with every change an export could show: stored and deleted
    /// submissions (count, newest receipt, highest rowid), moderation (the audit log's last id;
    /// deletions are logged there too), and rewritten curve summaries.
    public func exportRevision() async throws -> String {
        try await writer.read { db -> String in
            let submissions = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, max(received_at) AS newest, max(rowid) AS last FROM submissions")
            let audit = try Int64.fetchOne(db, sql: "SELECT max(id) FROM audit_log")
            let curves = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, max(updated_at) AS newest FROM machine_curves")
            func text(_ value: Int64?) -> String { value.map(String.init) ?? "-" }
            return [
                text(submissions?["n"]), text(submissions?["newest"]), text(submissions?["last"]), text(audit),
                text(curves?["n"]), text(curves?["newest"]),
            ].joined(separator: ".")
        }
    }

    // MARK: SQL pieces

    /// The machine columns every export reads (hardware only: never `hardware_json`, which is
    /// the raw report, nor anything about installs).
    static let exportMachineColumns = """
        m.id AS machine_id, m.arch, m.cpu_vendor, m.cpu_model, m.physical_cores, m.logical_cpus, m.memory_bytes,
        m.l2_bytes, m.l3_bytes, m.cpuinfo_cache_bytes, m.virtualized
        """

    /// The filter as a SQL condition over `m` (machines) and `i` (interpreters), with its
    /// arguments; `since` compares against the given millisecond column.
    static func exportCondition(_ filter: ExportFilter, since column: String) -> (String, StatementArguments) {
        var clauses = ["1"]
        var arguments = StatementArguments()
        if let since = filter.since {
            clauses.append("\(column) >= ?")
            arguments += [StoreTime.milliseconds(since)]
        }
        for (column, value) in [
            ("i.implementation", filter.implementation), ("i.version", filter.version), ("m.arch", filter.arch),
            ("m.cpu_vendor", filter.cpuVendor), ("m.id", filter.machine),
        ] {
            if let value {
                clauses.append("\(column) = ?")
                arguments += [value]
            }
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// The exported machine from a row holding ``exportMachineColumns``.
    static func exportMachine(_ row: Row) -> ExportMachine {
        ExportMachine(
            id: row["machine_id"], arch: row["arch"], cpuVendor: row["cpu_vendor"], cpuModel: row["cpu_model"],
            physicalCores: row["physical_cores"], logicalCPUs: row["logical_cpus"], memoryBytes: row["memory_bytes"],
            l2Bytes: row["l2_bytes"], l3Bytes: row["l3_bytes"], cpuinfoCacheBytes: row["cpuinfo_cache_bytes"],
            virtualized: row["virtualized"])
    }
}
