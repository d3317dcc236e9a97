import CrowdspeedCore
import CrowdspeedFit
import Foundation
import GRDB

extension SQLiteResultStore: ComparisonStore {
    /// The migration that added `machine_statistics`.
    static let machineStatisticsMigration = "0010_machine_statistics"

    public func recentVisibleSubmissions(machineID: String, interpreter: InterpreterKey, limit: Int) async throws
        -> [Submission]
    {
        try await writer.read { db -> [Submission] in
            try Self.recentVisibleSubmissions(db, machineID: machineID, interpreter: interpreter, limit: limit)
        }
    }

    public func statisticInterpreters(machineID: String) async throws -> [InterpreterKey] {
        try await writer.read { db -> [InterpreterKey] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT i.implementation, i.version
                    FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                    JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                    WHERE s.machine_id = ?1 AND NOT \(Self.effectiveQuarantine)
                    UNION
                    SELECT DISTINCT implementation, interpreter_version FROM machine_statistics WHERE machine_id = ?1
                    """, arguments: [machineID]
            ).map { InterpreterKey(implementation: $0[0], version: $0[1]) }
        }
    }

    public func machineIDs(of target: ModerationTarget) async throws -> [String] {
        try await writer.read { db -> [String] in
            switch target {
            case .machine(let id):
                return [id]
            case .submission(let id):
                return try String.fetchAll(
                    db, sql: "SELECT machine_id FROM submissions WHERE id = ?", arguments: [id.storeText])
            case .install(let id):
                return try String.fetchAll(
                    db, sql: "SELECT DISTINCT machine_id FROM submissions WHERE install_id = ?", arguments: [id])
            }
        }
    }

    public func replaceMachineStatistics(
        _ statistics: [MachineStatistic], machineID: String, interpreter: InterpreterKey, at: Date
    ) async throws {
        try await writer.write { db in
            try Self.replaceMachineStatistics(
                db, statistics, machineID: machineID, interpreter: interpreter,
                at: StoreTime.milliseconds(at))
        }
    }

    public func comparisonRevision() async throws -> Int64 {
        try await writer.read { db -> Int64 in
            try Int64.fetchOne(db, sql: "SELECT revision FROM comparison_revision WHERE id = 1") ?? 0
        }
    }

    public func statisticsUpdated() async throws -> [InterpreterKey: Date] {
        try await writer.read { db -> [InterpreterKey: Date] in
            var updated: [InterpreterKey: Date] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT implementation, interpreter_version, max(updated_at) FROM machine_statistics
                    GROUP BY implementation, interpreter_version
                    """)
            {
                updated[InterpreterKey(implementation: row[0], version: row[1])] = StoreTime.date(milliseconds: row[2])
            }
            return updated
        }
    }

    public func bestNurseries() async throws -> [CurveBestNursery] {
        try await writer.read { db -> [CurveBestNursery] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.machine_id, m.arch, m.cpu_vendor, c.interpreter_version, c.benchmark, c.benchmark_version,
                        c.procs, c.best_nursery_bytes
                    FROM machine_curves c JOIN machines m ON m.id = c.machine_id
                    WHERE lower(c.implementation) = 'pypy' AND c.pypy_gc_min_pinned = 0 AND c.best_nursery_bytes IS NOT NULL
                        AND \(Self.visibleMachine)
                    ORDER BY c.machine_id, c.interpreter_version, c.benchmark, c.benchmark_version, c.procs
                    """
            ).map { row in
                let benchmark: String = row["benchmark"]
                let benchmarkVersion: String = row["benchmark_version"]
                return CurveBestNursery(
                    machineID: row["machine_id"],
                    hardwareClass: HardwareClass(arch: row["arch"], cpuVendor: row["cpu_vendor"]),
                    interpreterVersion: row["interpreter_version"], workload: "\(benchmark)@\(benchmarkVersion)",
                    procs: row["procs"], nurseryBytes: row["best_nursery_bytes"])
            }
        }
    }

    public func machineStatistics(machineID: String?) async throws -> [MachineStatistic] {
        // Two statements rather than `?1 IS NULL OR machine_id = ?1`, which SQLite plans as a
        // scan of every machine's figures (80 ms per machine page at 100k machines) instead of
        // a search of the primary key.
        let filter = machineID == nil ? "" : "WHERE st.machine_id = ?"
        return try await writer.read { db -> [MachineStatistic] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT st.*, m.arch, m.cpu_vendor FROM machine_statistics st JOIN machines m ON m.id = st.machine_id
                    \(filter)
                    ORDER BY st.machine_id, st.implementation, st.interpreter_version, st.benchmark,
                        st.benchmark_version, st.procs, st.nursery, st.payload, st.library
                    """, arguments: machineID.map { [$0] } ?? []
            ).map(Self.machineStatistic)
        }
    }

    // MARK: In the caller's transaction

    /// The visible submissions of one machine and interpreter, newest first.
    static func recentVisibleSubmissions(
        _ db: Database, machineID: String, interpreter: InterpreterKey, limit: Int
    ) throws -> [Submission] {
        // Cached statements here and in `storedSubmission`: every ingest runs them (once per
        // submission read back), and preparing them was ~3% of the server's CPU while ingesting.
        let ids = try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT s.id FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                    JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                    WHERE s.machine_id = ? AND i.implementation = ? AND i.version = ? AND NOT \(effectiveQuarantine)
                    ORDER BY s.received_at DESC, s.id LIMIT ?
                    """), arguments: [machineID, interpreter.implementation, interpreter.version, max(0, limit)])
        return try ids.compactMap { try storedSubmission(db, id: try uuid($0))?.submission }
    }

    /// Replaces the figures of one machine and interpreter and advances the revision.
    static func replaceMachineStatistics(
        _ db: Database, _ statistics: [MachineStatistic], machineID: String, interpreter: InterpreterKey,
        at milliseconds: Int64
    ) throws {
        guard
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM machines WHERE id = ?)"), arguments: [machineID])
                == true
        else { return }
        try db.cachedStatement(
            sql:
                "DELETE FROM machine_statistics WHERE machine_id = ? AND implementation = ? AND interpreter_version = ?"
        ).execute(arguments: [machineID, interpreter.implementation, interpreter.version])
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO machine_statistics (machine_id, implementation, interpreter_version, benchmark,
                    benchmark_version, procs, nursery, payload, library, cpu_ms, samples, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for statistic in statistics
        where statistic.machineID == machineID && statistic.interpreter == interpreter && statistic.cpuMs.isFinite
            && statistic.cpuMs > 0 && statistic.samples >= 1
        {
            let params = statistic.key.params
            try insert.execute(arguments: [
                machineID, interpreter.implementation, interpreter.version, statistic.key.benchmark,
                statistic.key.benchmarkVersion, params.procs ?? 0, params.nursery?.rawValue ?? "",
                params.payload ?? "", params.library ?? "", statistic.cpuMs, statistic.samples, milliseconds,
            ])
        }
        try db.cachedStatement(sql: "UPDATE comparison_revision SET revision = revision + 1 WHERE id = 1").execute()
    }

    /// Derives every machine's figures from its stored submissions, once, when their migration is
    /// applied (later figures are the pipeline's).
    static func fillMachineStatistics(_ writer: any DatabaseWriter, at date: Date = Date()) throws {
        try writer.write { db in
            let pairs = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT s.machine_id, i.implementation, i.version
                    FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                    JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                    WHERE NOT \(effectiveQuarantine)
                    """)
            for row in pairs {
                let machineID: String = row[0]
                let interpreter = InterpreterKey(implementation: row[1], version: row[2])
                let submissions = try recentVisibleSubmissions(
                    db, machineID: machineID, interpreter: interpreter, limit: StatisticWindow.submissionLimit)
                try replaceMachineStatistics(
                    db, StatisticWindow.statistics(from: submissions), machineID: machineID, interpreter: interpreter,
                    at: StoreTime.milliseconds(date))
            }
        }
    }

    /// A `machine_statistics` row joined with its machine's class columns.
    static func machineStatistic(_ row: Row) -> MachineStatistic {
        let procs: Int = row["procs"]
        let nursery: String = row["nursery"]
        let payload: String = row["payload"]
        let library: String = row["library"]
        return MachineStatistic(
            machineID: row["machine_id"], hardwareClass: HardwareClass(arch: row["arch"], cpuVendor: row["cpu_vendor"]),
            interpreter: InterpreterKey(implementation: row["implementation"], version: row["interpreter_version"]),
            key: BenchmarkKey(
                benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"],
                params: ComparisonParams(
                    procs: procs == 0 ? nil : procs, nursery: NurserySetting(rawValue: nursery),
                    payload: payload.isEmpty ? nil : payload, library: library.isEmpty ? nil : library)),
            cpuMs: row["cpu_ms"], samples: row["samples"])
    }
}
