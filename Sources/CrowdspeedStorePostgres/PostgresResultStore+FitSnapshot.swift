import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Everything a refit of `scope` reads, in one REPEATABLE READ snapshot: the admitted curves
    /// of `benchmark` on `implementation` with `PYPY_GC_MIN` unpinned, the provenance of their
    /// submissions and the scope's counter. Quarantined data (the submission, its install, or the
    /// curve's machine) is left out, as on SQLite.
    ///
    /// The same values in the same order as `SQLiteResultStore.fitSnapshot`: curves by (machine
    /// id bytewise, receipt, row id), provenance by (receipt, submission id bytewise). Unlike
    /// SQLite, PostgreSQL sorts and joins well in the server, so this is a join, not table scans
    /// matched up in Swift.
    public func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws -> FitSnapshot
    {
        try await fitSnapshot(scope: scope, benchmark: benchmark, implementation: implementation, pinned: false)
    }

    /// The same read for the study-mode curves, whose runs pinned `PYPY_GC_MIN` (never fitted;
    /// compared with the ordinary ones in `GCMinStudy`).
    public func gcMinPinnedSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws
        -> FitSnapshot
    {
        try await fitSnapshot(scope: scope, benchmark: benchmark, implementation: implementation, pinned: true)
    }

    private func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String, pinned: Bool)
        async throws -> FitSnapshot
    {
        let sources = scope.sources.map(\.rawValue).sorted()
        let lowered = implementation.lowercased()
        // The curves a fit admits; `c` a curve, `s` its submission, `n` its install, `m` its machine.
        let admitted = """
            c.benchmark = $1 AND lower(c.implementation) = $2 AND c.pypy_gc_min_pinned = $4 AND c.source = ANY($3)
            AND NOT s.quarantined AND NOT coalesce(n.quarantined, false) AND NOT m.quarantined
            """
        var binds = PostgresBindings()
        binds.append(benchmark)
        binds.append(lowered)
        binds.append(sources)
        binds.append(pinned)
        let curveQuery = PostgresQuery(
            unsafeSQL: """
                SELECT c.id, c.submission_id, c.machine_id, c.source, c.received_at, c.implementation,
                    c.interpreter_version, c.benchmark_version, c.procs, c.cpu_model, c.arch, c.cpu_vendor,
                    c.physical_cores, c.l2_bytes, c.l3_bytes, c.cpuinfo_cache_bytes, c.default_nursery_bytes,
                    c.nurseries, c.round_ids, c.round_ratios
                FROM curves c JOIN submissions s ON s.id = c.submission_id JOIN machines m ON m.id = c.machine_id
                LEFT JOIN installs n ON n.id = s.install_id
                WHERE \(admitted)
                ORDER BY c.machine_id COLLATE "C", c.received_at, c.id
                """, binds: binds)
        // The submissions with at least one admitted curve. Their quarantine flag is their own
        // machine's (the curve's machine is checked above; both are the same machine).
        let provenanceQuery = PostgresQuery(
            unsafeSQL: """
                SELECT s.id, s.machine_id, s.install_id, s.source, s.flag_reason, s.origin_hash, sm.arch, sm.cpu_vendor,
                    sm.quarantined
                FROM submissions s JOIN machines sm ON sm.id = s.machine_id
                WHERE EXISTS (
                    SELECT 1 FROM curves c JOIN machines m ON m.id = c.machine_id LEFT JOIN installs n ON n.id = s.install_id
                    WHERE c.submission_id = s.id AND \(admitted))
                ORDER BY s.received_at, s.id COLLATE "C"
                """, binds: binds)
        let logger = logger
        return try await withReadSnapshot { connection in
            var grids = Interned<[Int64]>()
            var roundLists = Interned<[Int]>()
            let curves = try await Self.rows(connection, curveQuery, logger: logger).map { row in
                StoredCurve(
                    submissionID: try Self.uuid(row["submission_id"]),
                    machineID: try row.decoded("machine_id"), source: try Self.source(row["source"]),
                    receivedAt: StoreTime.date(milliseconds: try row.decoded("received_at")),
                    implementation: try row.decoded("implementation"),
                    interpreterVersion: try row.decoded("interpreter_version"), pypyGCMinPinned: pinned,
                    cpuModel: try row.decoded("cpu_model"), arch: try row.decoded("arch"),
                    cpuVendor: try row.decoded("cpu_vendor"), physicalCores: try row.decoded("physical_cores"),
                    l2Bytes: try row.decoded("l2_bytes"), l3Bytes: try row.decoded("l3_bytes"),
                    cpuinfoCacheBytes: try row.decoded("cpuinfo_cache_bytes"),
                    aggregate: WorkloadCurve(
                        benchmark: benchmark, benchmarkVersion: try row.decoded("benchmark_version"),
                        procs: try row.decoded("procs"),
                        curve: Curve(
                            nurseries: grids.intern(try CurveBlob.int64s(try row.decoded("nurseries"))),
                            roundIDs: roundLists.intern(try CurveBlob.rounds(try row.decoded("round_ids"))),
                            roundRatios: try CurveBlob.doubles(try row.decoded("round_ratios")),
                            defaultNurseryBytes: try row.decoded("default_nursery_bytes"))))
            }
            let provenance = try await Self.rows(connection, provenanceQuery, logger: logger).map { row in
                let arch: String = try row.decoded("arch")
                let vendor: String = try row.decoded("cpu_vendor")
                return SubmissionProvenance(
                    submissionID: try Self.uuid(row["id"]), machineID: try row.decoded("machine_id"),
                    installID: try row.decoded("install_id"), hardwareClass: "\(arch.lowercased())/\(vendor)",
                    source: try Self.source(row["source"]),
                    quarantined: try row.decoded("quarantined"), flagReason: try row.decoded("flag_reason"),
                    origin: try row.decoded("origin_hash"))
            }
            let submissions =
                try await connection.query(
                    "SELECT submissions FROM fit_state WHERE scope = \(scope.rawValue)", logger: logger
                ).collect().first?.decode(Int.self) ?? 0
            return FitSnapshot(curves: curves, submissions: submissions, provenance: provenance)
        }
    }

    /// One copy of each repeated value: most curves share a grid and a round list, and a refit
    /// holds every curve at once.
    private struct Interned<Value: Hashable> {
        private var pool: [Value: Value] = [:]

        mutating func intern(_ value: Value) -> Value {
            if let known = pool[value] { return known }
            pool[value] = value
            return value
        }
    }
}
