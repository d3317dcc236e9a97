import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// One stored submission rebuilt from its rows and sample blobs; equal (`==`) to the
    /// submission that was ingested when its dates came from the wire (millisecond precision).
    ///
    /// Its two statements read one snapshot, so a deletion committing between them cannot leave
    /// a submission without its results.
    public func submission(id: UUID) async throws -> StoredSubmission? {
        try await snapshot { connection -> StoredSubmission? in
            guard
                let row = try await Self.rows(
                    connection,
                    """
                    SELECT s.*, i.implementation, i.version, i.language_version,
                        \(unescaped: Self.effectiveQuarantine) AS effective_quarantine
                    FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                    JOIN machines m ON m.id = s.machine_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE s.id = \(id.storeText)
                    """, logger: logger
                ).first
            else { return nil }
            let results = try await Self.rows(
                connection,
                """
                SELECT benchmark, benchmark_version, procs, nursery_bytes, payload, library, unit, samples
                FROM results WHERE submission_id = \(id.storeText) ORDER BY position
                """, logger: logger
            ).map(Self.benchmarkResult)
            let machine = try WireCoding.makeDecoder().decode(
                MachineInfo.self, from: Data(try row["machine_json"].decode(String.self).utf8))
            let run: RunInfo? = try row["run_seed"].decode(Int64?.self).map { seed in
                RunInfo(
                    seed: UInt64(bitPattern: seed), rounds: try row["run_rounds"].decode(Int.self),
                    warmupRounds: try row["run_warmup_rounds"].decode(Int.self),
                    pypyGCMin: try row["run_pypy_gc_min"].decode(String?.self),
                    stopReason: try row["run_stop_reason"].decode(String?.self))
            }
            let submission = Submission(
                schemaVersion: try row["schema_version"].decode(Int.self), id: id,
                createdAt: try Self.date(row["created_at"]),
                agent: AgentInfo(
                    name: try row["agent_name"].decode(String.self),
                    version: try row["agent_version"].decode(String.self)
                ),
                source: try Self.source(row["source"]), machine: machine, interpreter: try Self.interpreter(row),
                run: run, results: results)
            return StoredSubmission(
                submission: submission, machineID: try row["machine_id"].decode(String.self),
                receivedAt: try Self.date(row["received_at"]),
                quarantined: try row["effective_quarantine"].decode(Bool.self),
                flagReason: try row["flag_reason"].decode(String?.self))
        }
    }

    /// A page of machines, most recently seen first (ties by id, so pages are stable), read from
    /// the aggregates kept at ingest. A negative limit or offset counts as zero. Quarantined
    /// machines and machines with no unquarantined submission are left out.
    public func machines(limit: Int, offset: Int) async throws -> MachinePage {
        let limit = max(0, limit)
        let offset = max(0, offset)
        return try await snapshot { connection -> MachinePage in
            let total = try await Self.rows(
                connection, "SELECT count(*) AS total FROM machines m WHERE \(unescaped: Self.visibleMachine)",
                logger: logger)[0]["total"].decode(Int.self)
            let machines = try await Self.rows(
                connection,
                """
                SELECT * FROM machines m WHERE \(unescaped: Self.visibleMachine)
                ORDER BY last_seen DESC, id LIMIT \(limit) OFFSET \(offset)
                """, logger: logger
            ).map(Self.machineSummary)
            return MachinePage(machines: machines, total: total, limit: limit, offset: offset)
        }
    }

    /// One machine with the hardware of its most recently received submission, all its
    /// submissions (newest first) and its curves, read from one snapshot.
    public func machine(id: String) async throws -> MachineDetail? {
        try await snapshot { connection -> MachineDetail? in
            guard
                let row = try await Self.rows(connection, "SELECT * FROM machines WHERE id = \(id)", logger: logger)
                    .first
            else { return nil }
            let hardware = try WireCoding.makeDecoder().decode(
                MachineInfo.self, from: Data(try row["hardware_json"].decode(String.self).utf8))
            let submissions = try await Self.rows(
                connection,
                """
                SELECT s.id, s.created_at, s.received_at, s.source, s.executable, s.result_count, s.sample_count,
                    s.flag_reason, i.implementation, i.version, i.language_version,
                    \(unescaped: Self.effectiveQuarantine) AS effective_quarantine
                FROM submissions s JOIN interpreters i ON i.id = s.interpreter_id
                JOIN machines m ON m.id = s.machine_id
                LEFT JOIN installs n ON n.id = s.install_id
                WHERE s.machine_id = \(id)
                ORDER BY s.received_at DESC, s.id
                """, logger: logger
            ).map { row in
                SubmissionRef(
                    id: try Self.uuid(row["id"]), createdAt: try Self.date(row["created_at"]),
                    receivedAt: try Self.date(row["received_at"]), source: try Self.source(row["source"]),
                    interpreter: try Self.interpreter(row), resultCount: try row["result_count"].decode(Int.self),
                    sampleCount: try row["sample_count"].decode(Int.self),
                    quarantined: try row["effective_quarantine"].decode(Bool.self),
                    flag: try row["flag_reason"].decode(String?.self))
            }
            return MachineDetail(
                summary: try Self.machineSummary(row), hardware: hardware, submissions: submissions,
                curves: try await Self.machineCurves(machineID: id, on: connection, logger: logger))
        }
    }

    /// Whether machine `m` belongs in the list: not quarantined, and at least one of its
    /// submissions is visible (a machine reported only by a quarantined install is hidden too).
    static let visibleMachine = """
        NOT m.quarantined AND EXISTS (SELECT 1 FROM submissions s LEFT JOIN installs n ON n.id = s.install_id
            WHERE s.machine_id = m.id AND NOT s.quarantined AND NOT coalesce(n.quarantined, FALSE))
        """

    // MARK: Row mapping

    /// A `machines` row as a list entry.
    static func machineSummary(_ row: PostgresRandomAccessRow) throws -> MachineSummary {
        MachineSummary(
            id: try row["id"].decode(String.self), arch: try row["arch"].decode(String.self),
            cpuVendor: try row["cpu_vendor"].decode(String.self), cpuModel: try row["cpu_model"].decode(String.self),
            physicalCores: try row["physical_cores"].decode(Int.self),
            logicalCPUs: try row["logical_cpus"].decode(Int.self),
            memoryBytes: try row["memory_bytes"].decode(Int64.self), l2Bytes: try row["l2_bytes"].decode(Int64?.self),
            l3Bytes: try row["l3_bytes"].decode(Int64?.self),
            cpuinfoCacheBytes: try row["cpuinfo_cache_bytes"].decode(Int64?.self),
            submissionCount: try row["submission_count"].decode(Int.self), firstSeen: try date(row["first_seen"]),
            lastSeen: try date(row["last_seen"]), quarantined: try row["quarantined"].decode(Bool.self))
    }

    /// A `results` row with its samples unpacked.
    static func benchmarkResult(_ row: PostgresRandomAccessRow) throws -> BenchmarkResult {
        BenchmarkResult(
            benchmark: try row["benchmark"].decode(String.self),
            benchmarkVersion: try row["benchmark_version"].decode(String.self),
            params: ResultParams(
                procs: try row["procs"].decode(Int?.self), nurseryBytes: try row["nursery_bytes"].decode(Int64?.self),
                payload: try row["payload"].decode(String?.self), library: try row["library"].decode(String?.self)),
            unit: try row["unit"].decode(String.self), samples: try SampleBlob.decode(data(row["samples"])))
    }

    /// The interpreter columns of a submission joined with its interpreter.
    static func interpreter(_ row: PostgresRandomAccessRow) throws -> InterpreterInfo {
        InterpreterInfo(
            implementation: try row["implementation"].decode(String.self),
            version: try row["version"].decode(String.self),
            languageVersion: try row["language_version"].decode(String.self),
            executable: try row["executable"].decode(String.self))
    }
}
