import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import PostgresNIO

/// The speed center's per-machine figures on PostgreSQL: the same rows, order and revision
/// semantics as `SQLiteResultStore+Comparisons.swift`.
///
/// Unlike SQLite, no backfill runs when migration 0010 is applied: a PostgreSQL database gets
/// its data either from this build's ingests (which refresh the figures) or from `crowdspeed
/// copy`, which copies the SQLite database's figures with it.
extension PostgresResultStore: ComparisonStore {
    public func recentVisibleSubmissions(machineID: String, interpreter: InterpreterKey, limit: Int) async throws
        -> [Submission]
    {
        let ids = try await rows(
            """
            SELECT s.id FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
            JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
            WHERE s.machine_id = \(machineID) AND i.implementation = \(interpreter.implementation)
                AND i.version = \(interpreter.version) AND NOT \(unescaped: Self.effectiveQuarantine)
            ORDER BY s.received_at DESC, s.id COLLATE "C" LIMIT \(max(0, limit))
            """
        ).map { try Self.uuid($0["id"]) }
        var submissions: [Submission] = []
        for id in ids {
            if let stored = try await submission(id: id) { submissions.append(stored.submission) }
        }
        return submissions
    }

    public func statisticInterpreters(machineID: String) async throws -> [InterpreterKey] {
        try await rows(
            """
            SELECT DISTINCT i.implementation, i.version
            FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
            JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
            WHERE s.machine_id = \(machineID) AND NOT \(unescaped: Self.effectiveQuarantine)
            UNION
            SELECT DISTINCT implementation, interpreter_version FROM machine_statistics WHERE machine_id = \(machineID)
            """
        ).map { row in
            InterpreterKey(
                implementation: try row["implementation"].decode(String.self),
                version: try row["version"].decode(String.self))
        }
    }

    public func machineIDs(of target: ModerationTarget) async throws -> [String] {
        switch target {
        case .machine(let id):
            return [id]
        case .submission(let id):
            return try await rows("SELECT machine_id FROM submissions WHERE id = \(id.storeText)").map {
                try $0["machine_id"].decode(String.self)
            }
        case .install(let id):
            return try await rows("SELECT DISTINCT machine_id FROM submissions WHERE install_id = \(id)").map {
                try $0["machine_id"].decode(String.self)
            }
        }
    }

    /// One transaction: the machine row is share-locked (a deletion of the machine waits), the
    /// old figures go, the new ones arrive in one UNNEST statement, and the revision row, locked
    /// by its update, orders concurrent replacements. Two instances replacing the same figures
    /// at once collide on the primary key; the loser runs again (``writeTransaction(_:)``).
    public func replaceMachineStatistics(
        _ statistics: [MachineStatistic], machineID: String, interpreter: InterpreterKey, at: Date
    ) async throws {
        let kept = statistics.filter {
            $0.machineID == machineID && $0.interpreter == interpreter && $0.cpuMs.isFinite && $0.cpuMs > 0
                && $0.samples >= 1
        }
        let milliseconds = StoreTime.milliseconds(at)
        let logger = logger
        try await writeTransaction { connection in
            let exists = try await Self.rows(
                connection, "SELECT 1 FROM machines WHERE id = \(machineID) FOR SHARE", logger: logger)
            guard !exists.isEmpty else { return }
            try await connection.query(
                """
                DELETE FROM machine_statistics WHERE machine_id = \(machineID)
                    AND implementation = \(interpreter.implementation) AND interpreter_version = \(interpreter.version)
                """, logger: logger)
            if !kept.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO machine_statistics (machine_id, implementation, interpreter_version, benchmark,
                        benchmark_version, procs, nursery, payload, library, cpu_ms, samples, updated_at)
                    SELECT \(machineID), \(interpreter.implementation), \(interpreter.version), *, \(milliseconds)
                    FROM UNNEST(\(kept.map(\.key.benchmark))::text[], \(kept.map(\.key.benchmarkVersion))::text[],
                        \(kept.map { Int64($0.key.params.procs ?? 0) })::bigint[],
                        \(kept.map { $0.key.params.nursery?.rawValue ?? "" })::text[],
                        \(kept.map { $0.key.params.payload ?? "" })::text[],
                        \(kept.map { $0.key.params.library ?? "" })::text[], \(kept.map(\.cpuMs))::float8[],
                        \(kept.map { Int64($0.samples) })::bigint[])
                    """, logger: logger)
            }
            try await connection.query(
                "UPDATE comparison_revision SET revision = revision + 1 WHERE id = 1", logger: logger)
        }
    }

    public func comparisonRevision() async throws -> Int64 {
        try await rows("SELECT revision FROM comparison_revision WHERE id = 1").first?["revision"].decode(Int64.self)
            ?? 0
    }

    public func statisticsUpdated() async throws -> [InterpreterKey: Date] {
        var updated: [InterpreterKey: Date] = [:]
        for row in try await rows(
            """
            SELECT implementation, interpreter_version, max(updated_at) AS updated_at FROM machine_statistics
            GROUP BY implementation, interpreter_version
            """)
        {
            let key = InterpreterKey(
                implementation: try row["implementation"].decode(String.self),
                version: try row["interpreter_version"].decode(String.self))
            updated[key] = StoreTime.date(milliseconds: try row["updated_at"].decode(Int64.self))
        }
        return updated
    }

    public func bestNurseries() async throws -> [CurveBestNursery] {
        try await rows(
            """
            SELECT c.machine_id, m.arch, m.cpu_vendor, c.interpreter_version, c.benchmark, c.benchmark_version,
                c.procs, c.best_nursery_bytes
            FROM machine_curves c JOIN machines m ON m.id = c.machine_id
            WHERE lower(c.implementation) = 'pypy' AND NOT c.pypy_gc_min_pinned AND c.best_nursery_bytes IS NOT NULL
                AND \(unescaped: Self.visibleMachine)
            ORDER BY c.machine_id COLLATE "C", c.interpreter_version COLLATE "C", c.benchmark COLLATE "C",
                c.benchmark_version COLLATE "C", c.procs
            """
        ).map { row in
            let benchmark = try row["benchmark"].decode(String.self)
            let benchmarkVersion = try row["benchmark_version"].decode(String.self)
            return CurveBestNursery(
                machineID: try row["machine_id"].decode(String.self),
                hardwareClass: HardwareClass(
                    arch: try row["arch"].decode(String.self), cpuVendor: try row["cpu_vendor"].decode(String.self)),
                interpreterVersion: try row["interpreter_version"].decode(String.self),
                workload: "\(benchmark)@\(benchmarkVersion)", procs: try row["procs"].decode(Int.self),
                nurseryBytes: try row["best_nursery_bytes"].decode(Int64.self))
        }
    }

    public func machineStatistics(machineID: String?) async throws -> [MachineStatistic] {
        let select = """
            SELECT st.*, m.arch, m.cpu_vendor FROM machine_statistics st JOIN machines m ON m.id = st.machine_id
            """
        let order = """
            ORDER BY st.machine_id COLLATE "C", st.implementation COLLATE "C", st.interpreter_version COLLATE "C",
                st.benchmark COLLATE "C", st.benchmark_version COLLATE "C", st.procs, st.nursery COLLATE "C",
                st.payload COLLATE "C", st.library COLLATE "C"
            """
        // One machine's figures by its key; the whole table only when asked for all.
        let found =
            if let machineID {
                try await rows("\(unescaped: select) WHERE st.machine_id = \(machineID) \(unescaped: order)")
            } else {
                try await rows("\(unescaped: select) \(unescaped: order)")
            }
        return try found.map { row in
            let procs = try row["procs"].decode(Int.self)
            let payload = try row["payload"].decode(String.self)
            let library = try row["library"].decode(String.self)
            return MachineStatistic(
                machineID: try row["machine_id"].decode(String.self),
                hardwareClass: HardwareClass(
                    arch: try row["arch"].decode(String.self), cpuVendor: try row["cpu_vendor"].decode(String.self)),
                interpreter: InterpreterKey(
                    implementation: try row["implementation"].decode(String.self),
                    version: try row["interpreter_version"].decode(String.self)),
                key: BenchmarkKey(
                    benchmark: try row["benchmark"].decode(String.self),
                    benchmarkVersion: try row["benchmark_version"].decode(String.self),
                    params: ComparisonParams(
                        procs: procs == 0 ? nil : procs,
                        nursery: NurserySetting(rawValue: try row["nursery"].decode(String.self)),
                        payload: payload.isEmpty ? nil : payload, library: library.isEmpty ? nil : library)),
                cpuMs: try row["cpu_ms"].decode(Double.self), samples: try row["samples"].decode(Int.self))
        }
    }
}
