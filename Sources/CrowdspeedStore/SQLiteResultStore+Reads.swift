import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// One stored submission rebuilt from its rows and sample blobs; equal (`==`) to the
    /// submission that was ingested when its dates came from the wire (millisecond precision).
    public func submission(id: UUID) async throws -> StoredSubmission? {
        // Rows are mapped to Sendable values inside the closure so that the async `read` overload
        // is the one chosen (see STYLE.md).
        try await writer.read { db -> StoredSubmission? in try Self.storedSubmission(db, id: id) }
    }

    /// One stored submission read in the caller's transaction, nil when the id is unknown.
    static func storedSubmission(_ db: Database, id: UUID) throws -> StoredSubmission? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT s.*, i.implementation, i.version, i.language_version, \(Self.effectiveQuarantine) AS effective_quarantine
                        FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                        JOIN machines m ON m.id = s.machine_id
                        LEFT JOIN installs n ON n.id = s.install_id
                        WHERE s.id = ?
                        """), arguments: [id.storeText])
        else { return nil }
        let results = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT benchmark, benchmark_version, procs, nursery_bytes, payload, library, unit, samples
                    FROM results WHERE submission_id = ? ORDER BY position
                    """), arguments: [id.storeText]
        ).map(Self.benchmarkResult)
        let machineJSON: String = row["machine_json"]
        let machine = try WireCoding.makeDecoder().decode(MachineInfo.self, from: Data(machineJSON.utf8))
        let run: RunInfo? = (row["run_seed"] as Int64?).map { seed in
            RunInfo(
                seed: UInt64(bitPattern: seed), rounds: row["run_rounds"], warmupRounds: row["run_warmup_rounds"],
                pypyGCMin: row["run_pypy_gc_min"], stopReason: row["run_stop_reason"])
        }
        let submission = Submission(
            schemaVersion: row["schema_version"], id: id,
            createdAt: StoreTime.date(milliseconds: row["created_at"]),
            agent: AgentInfo(name: row["agent_name"], version: row["agent_version"]),
            source: try Self.source(row["source"]), machine: machine, interpreter: Self.interpreter(row),
            run: run, results: results)
        return StoredSubmission(
            submission: submission, machineID: row["machine_id"],
            receivedAt: StoreTime.date(milliseconds: row["received_at"]),
            quarantined: row["effective_quarantine"], flagReason: row["flag_reason"])
    }

    /// A page of machines, most recently seen first (ties by id, so pages are stable), read from
    /// the aggregates kept at ingest. A negative limit or offset counts as zero. Quarantined
    /// machines and machines with no unquarantined submission are left out.
    public func machines(limit: Int, offset: Int) async throws -> MachinePage {
        let limit = max(0, limit)
        let offset = max(0, offset)
        return try await writer.read { db -> MachinePage in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM machines m WHERE \(Self.visibleMachine)") ?? 0
            let machines = try Row.fetchAll(
                db,
                sql:
                    "SELECT * FROM machines m WHERE \(Self.visibleMachine) ORDER BY last_seen DESC, id LIMIT ? OFFSET ?",
                arguments: [limit, offset]
            ).map(Self.machineSummary)
            return MachinePage(machines: machines, total: total, limit: limit, offset: offset)
        }
    }

    /// One machine with the hardware of its most recently received submission and all its
    /// submissions, newest first.
    public func machine(id: String) async throws -> MachineDetail? {
        try await writer.read { db -> MachineDetail? in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM machines WHERE id = ?", arguments: [id]) else {
                return nil
            }
            let hardwareJSON: String = row["hardware_json"]
            let hardware = try WireCoding.makeDecoder().decode(MachineInfo.self, from: Data(hardwareJSON.utf8))
            let submissions = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.created_at, s.received_at, s.source, s.executable, s.result_count, s.sample_count,
                        s.flag_reason, i.implementation, i.version, i.language_version, \(Self.effectiveQuarantine) AS effective_quarantine
                    FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                    JOIN machines m ON m.id = s.machine_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE s.machine_id = ?
                    ORDER BY s.received_at DESC, s.id
                    """, arguments: [id]
            ).map { row in
                SubmissionRef(
                    id: try Self.uuid(row["id"]), createdAt: StoreTime.date(milliseconds: row["created_at"]),
                    receivedAt: StoreTime.date(milliseconds: row["received_at"]),
                    source: try Self.source(row["source"]),
                    interpreter: Self.interpreter(row), resultCount: row["result_count"],
                    sampleCount: row["sample_count"],
                    quarantined: row["effective_quarantine"], flag: row["flag_reason"])
            }
            return MachineDetail(
                summary: Self.machineSummary(row), hardware: hardware, submissions: submissions,
                curves: try Self.machineCurves(db, machineID: id))
        }
    }

    // MARK: Quarantine in SQL

    /// Whether submission `s` is hidden: itself, its machine `m` or its install `n` (left-joined)
    /// is quarantined.
    static let effectiveQuarantine = "(s.quarantined = 1 OR m.quarantined = 1 OR coalesce(n.quarantined, 0) = 1)"

    /// Whether machine `m` belongs in the list: not quarantined, and at least one of its
    /// submissions is visible (a machine reported only by a quarantined install is hidden too).
    static let visibleMachine = """
        m.quarantined = 0 AND EXISTS (SELECT 1 FROM submissions s LEFT JOIN installs n ON n.id = s.install_id
            WHERE s.machine_id = m.id AND s.quarantined = 0 AND coalesce(n.quarantined, 0) = 0)
        """

    // MARK: Row mapping

    /// A `machines` row as a list entry.
    static func machineSummary(_ row: Row) -> MachineSummary {
        MachineSummary(
            id: row["id"], arch: row["arch"], cpuVendor: row["cpu_vendor"], cpuModel: row["cpu_model"],
            physicalCores: row["physical_cores"], logicalCPUs: row["logical_cpus"], memoryBytes: row["memory_bytes"],
            l2Bytes: row["l2_bytes"], l3Bytes: row["l3_bytes"], cpuinfoCacheBytes: row["cpuinfo_cache_bytes"],
            submissionCount: row["submission_count"], firstSeen: StoreTime.date(milliseconds: row["first_seen"]),
            lastSeen: StoreTime.date(milliseconds: row["last_seen"]), quarantined: row["quarantined"])
    }

    /// A `results` row with its samples unpacked.
    static func benchmarkResult(_ row: Row) throws -> BenchmarkResult {
        BenchmarkResult(
            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"],
            params: ResultParams(
                procs: row["procs"], nurseryBytes: row["nursery_bytes"], payload: row["payload"],
                library: row["library"]),
            unit: row["unit"], samples: try SampleBlob.decode(row["samples"]))
    }

    /// The interpreter columns of a submission joined with its interpreter.
    static func interpreter(_ row: Row) -> InterpreterInfo {
        InterpreterInfo(
            implementation: row["implementation"], version: row["version"], languageVersion: row["language_version"],
            executable: row["executable"])
    }

    /// A stored `source`; the schema's CHECK admits only known values, so failure means a corrupt file.
    static func source(_ text: String) throws -> SubmissionSource {
        guard let source = SubmissionSource(rawValue: text) else { throw StoreCorruption("unknown source \(text)") }
        return source
    }

    /// A stored submission id.
    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw StoreCorruption("bad submission id \(text)") }
        return id
    }
}

/// A stored value this build cannot read back: the database was edited outside the store.
public struct StoreCorruption: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
