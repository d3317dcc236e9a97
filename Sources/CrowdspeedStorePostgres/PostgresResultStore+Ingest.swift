import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Stores `submission` in one transaction, as `SQLiteResultStore` does: the machine row and
    /// its aggregates, the interpreter, the install, the submission with its deletion digest and
    /// plausibility flag, its results (samples packed as ``SampleBlob`` bytes) with their
    /// summaries, its curves and the windows they extend, and the dashboard counters. Returns
    /// only after `COMMIT`.
    ///
    /// Any number of servers may ingest at once. The submission row is inserted with
    /// `ON CONFLICT (id) DO NOTHING`: when another transaction stored the same id first, this one
    /// rolls back and runs again, and then finds the stored row and compares content hashes
    /// (`.duplicate` or ``StoreError/idConflict(_:)``). A serialization failure or deadlock is
    /// retried the same way; no race between servers surfaces as any other error.
    public func ingest(
        _ submission: Submission, receivedAt: Date, credentials: IngestCredentials?, curves: [WorkloadCurve]
    ) async throws -> IngestResult {
        // Everything that can be computed outside the transaction is, to keep its locks short.
        let prepared = try PreparedIngest(submission, receivedAt: receivedAt, credentials: credentials, curves: curves)
        // Judged against the peers stored before this write began, as SQLite does.
        var peers: [Double] = []
        if let screenClass = prepared.screenClass { peers = try await screeningPeers(screenClass: screenClass) }
        let flag = prepared.screenValue.flatMap { OutlierScreen.flag($0, peers: peers) }
        let result = try await writeTransaction { connection in
            try await self.write(prepared, flag: flag, on: connection)
        }
        if case .created = result.outcome {
            logger.debug(
                "stored submission", metadata: ["submission": "\(submission.id)", "machine": "\(prepared.machineID)"])
        }
        return result
    }

    /// The submission row already existed when this transaction tried to insert it: the
    /// transaction is rolled back and run again (``writeTransaction(_:)``), and then finds it.
    struct LostIngestRace: Error {}

    /// One ingest's writes inside its transaction.
    private func write(_ prepared: PreparedIngest, flag: String?, on connection: PostgresConnection) async throws
        -> IngestResult
    {
        let submission = prepared.submission
        let id = prepared.id
        let state = try await Self.rows(
            connection,
            """
            SELECT s.content_hash, s.machine_id, s.install_id, p.id AS presented_install,
                p.quarantined AS presented_quarantined
            FROM (SELECT 1) AS one
            LEFT JOIN submissions s ON s.id = \(id)
            LEFT JOIN (SELECT id, quarantined FROM installs
                WHERE token_hash = \(prepared.credentials?.presentedInstallHash) FOR SHARE) AS p ON TRUE
            """, logger: logger)[0]
        // The presented install is share-locked until COMMIT: a quarantine of it waits for this
        // ingest, and then sees (and rebuilds the windows of) what it stored.
        let presentedInstall = try state["presented_install"].decode(String?.self)
        if let storedHash = try state["content_hash"].decode(String?.self) {
            guard try ContentHash.matches(storedHash, submission, current: prepared.contentHash) else {
                throw StoreError.idConflict(submission.id)
            }
            let storedInstall = try state["install_id"].decode(String?.self)
            // The same install repeating its submission lost the first response, and with it the
            // deletion token: hand out a new one (the old one stops working).
            var rotated = false
            if let credentials = prepared.credentials, let storedInstall, storedInstall == presentedInstall {
                try await connection.query(
                    "UPDATE submissions SET deletion_token_hash = \(credentials.deletionHash) WHERE id = \(id)",
                    logger: logger)
                rotated = true
            }
            return IngestResult(
                outcome: .duplicate(machineID: try state["machine_id"].decode(String.self)), installID: storedInstall,
                deletionIssued: rotated)
        }

        var installID = presentedInstall
        var installQuarantined = try state["presented_quarantined"].decode(Bool?.self) ?? false
        var installIssued = false
        if let credentials = prepared.credentials, installID == nil {
            // The public id is `i-` + the digest's first 16 hex digits, as in SQLite.
            let newID = "i-" + credentials.newInstallHash.prefix(16)
            try await connection.query(
                """
                INSERT INTO installs (id, token_hash, created_at)
                VALUES (\(newID), \(credentials.newInstallHash), \(prepared.received))
                """, logger: logger)
            installID = newID
            installQuarantined = false
            installIssued = true
        }
        // Locks the machine row until COMMIT: ingests, deletions and moderation of one machine
        // take turns from here on, which keeps its curve windows' read-modify-write exact.
        let machineQuarantined = try await upsertMachine(prepared, on: connection)
        let interpreterID = try await interpreterID(submission.interpreter, on: connection)
        let inserted = try await Self.rows(
            connection,
            """
            INSERT INTO submissions (id, schema_version, machine_id, interpreter_id, created_at, received_at, source,
                agent_name, agent_version, executable, machine_json, run_seed, run_rounds, run_warmup_rounds,
                run_pypy_gc_min, run_stop_reason, content_hash, result_count, sample_count, install_id,
                deletion_token_hash, origin_hash, flag_reason, screen_cpu_ms, screen_benchmark_version, screen_class)
            VALUES (\(id), \(submission.schemaVersion), \(prepared.machineID), \(interpreterID),
                \(StoreTime.milliseconds(submission.createdAt)), \(prepared.received), \(submission.source.rawValue),
                \(submission.agent.name), \(submission.agent.version), \(submission.interpreter.executable),
                \(prepared.hardwareJSON), \(submission.run.map { Int64(bitPattern: $0.seed) }), \(submission.run?.rounds),
                \(submission.run?.warmupRounds), \(submission.run?.pypyGCMin), \(submission.run?.stopReason),
                \(prepared.contentHash), \(submission.results.count), \(prepared.sampleCount), \(installID),
                \(prepared.credentials?.deletionHash), \(prepared.credentials?.origin), \(flag), \(prepared.screenValue), \(prepared.screenVersion),
                \(prepared.screenClass))
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, logger: logger)
        guard !inserted.isEmpty else { throw LostIngestRace() }
        try await insertResults(prepared, interpreterID: interpreterID, on: connection)
        let windows = try await storeCurves(
            prepared, installQuarantined: installQuarantined, on: connection)
        try await Self.lockDashboardCounters(connection, logger: logger)
        if !machineQuarantined && !installQuarantined {
            try await countIngest(prepared, interpreterID: interpreterID, on: connection)
        }
        return IngestResult(
            outcome: .created(machineID: prepared.machineID), installID: installID, installIssued: installIssued,
            deletionIssued: prepared.credentials != nil, flagReason: flag, curveWindows: windows)
    }

    /// Inserts the machine or updates its aggregates; the hardware columns follow the most
    /// recently received submission (one arriving late only counts).
    /// - Returns: whether the machine is quarantined.
    private func upsertMachine(_ prepared: PreparedIngest, on connection: PostgresConnection) async throws -> Bool {
        let machine = prepared.submission.machine
        let newer = "EXCLUDED.last_seen >= machines.last_seen"
        func follow(_ column: String) -> String {
            "\(column) = CASE WHEN \(newer) THEN EXCLUDED.\(column) ELSE machines.\(column) END"
        }
        let hardwareColumns = [
            "arch", "os", "os_version", "kernel", "cpu_vendor", "cpu_model", "physical_cores", "logical_cpus",
            "memory_bytes", "l2_bytes", "l3_bytes", "cpuinfo_cache_bytes", "virtualized", "cpu_quota", "hardware_json",
        ]
        let row = try await Self.rows(
            connection,
            """
            INSERT INTO machines (id, arch, os, os_version, kernel, cpu_vendor, cpu_model, physical_cores,
                logical_cpus, memory_bytes, l2_bytes, l3_bytes, cpuinfo_cache_bytes, virtualized, cpu_quota,
                hardware_json, submission_count, first_seen, last_seen)
            VALUES (\(prepared.machineID), \(machine.arch), \(machine.os), \(machine.osVersion), \(machine.kernel),
                \(machine.cpuVendor), \(machine.cpuModel), \(machine.physicalCores), \(machine.logicalCPUs),
                \(machine.memoryBytes), \(machine.cacheBytes(level: 2)), \(machine.cacheBytes(level: 3)),
                \(machine.cpuinfoCacheBytes), \(machine.virtualized), \(machine.cpuQuota), \(prepared.hardwareJSON),
                1, \(prepared.received), \(prepared.received))
            ON CONFLICT (id) DO UPDATE SET
                \(unescaped: hardwareColumns.map(follow).joined(separator: ",\n    ")),
                submission_count = machines.submission_count + 1,
                first_seen = LEAST(machines.first_seen, EXCLUDED.first_seen),
                last_seen = GREATEST(machines.last_seen, EXCLUDED.last_seen)
            RETURNING quarantined
            """, logger: logger)
        return try row[0]["quarantined"].decode(Bool.self)
    }

    /// The id of the interpreter row, inserted when new. `DO NOTHING` rather than `DO UPDATE`,
    /// so that concurrent ingests do not queue on one interpreter's row lock.
    private func interpreterID(_ interpreter: InterpreterInfo, on connection: PostgresConnection) async throws
        -> Int64
    {
        // The statement's snapshot cannot see a row another transaction committed while this one
        // waited on it; the second run, with a new snapshot, does.
        for _ in 0..<2 {
            let rows = try await Self.rows(
                connection,
                """
                WITH inserted AS (
                    INSERT INTO interpreters (implementation, version, language_version)
                    VALUES (\(interpreter.implementation), \(interpreter.version), \(interpreter.languageVersion))
                    ON CONFLICT (implementation, version, language_version) DO NOTHING
                    RETURNING id)
                SELECT id FROM inserted
                UNION ALL
                SELECT id FROM interpreters WHERE implementation = \(interpreter.implementation)
                    AND version = \(interpreter.version) AND language_version = \(interpreter.languageVersion)
                """, logger: logger)
            if let row = rows.first { return try row["id"].decode(Int64.self) }
        }
        throw StoreCorruption("interpreter row missing after insert")
    }

    /// Inserts every result with its packed samples, and its timing summary, in one statement
    /// (one round trip, however many results).
    private func insertResults(_ prepared: PreparedIngest, interpreterID: Int64, on connection: PostgresConnection)
        async throws
    {
        let results = prepared.submission.results
        guard !results.isEmpty else { return }
        let positions = Array(0..<results.count)
        let params = results.map(\.params)
        try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO results (submission_id, position, benchmark, benchmark_version, params_key, procs,
                    nursery_bytes, payload, library, unit, sample_count, samples)
                SELECT \(prepared.id), r.position, r.benchmark, r.benchmark_version, r.params_key, r.procs,
                    r.nursery_bytes, r.payload, r.library, r.unit, r.sample_count, r.samples
                FROM unnest(\(positions)::bigint[], \(results.map(\.benchmark))::text[],
                    \(results.map(\.benchmarkVersion))::text[], \(params.map(\.canonicalKey))::text[],
                    \(NullableArray(params.map(\.procs)))::bigint[], \(NullableArray(params.map(\.nurseryBytes)))::bigint[],
                    \(NullableArray(params.map(\.payload)))::text[], \(NullableArray(params.map(\.library)))::text[],
                    \(results.map(\.unit))::text[], \(results.map(\.samples.count))::bigint[],
                    \(prepared.sampleBlobs)::bytea[])
                    AS r(position, benchmark, benchmark_version, params_key, procs, nursery_bytes, payload, library,
                        unit, sample_count, samples)
                RETURNING id, position, benchmark, benchmark_version, procs, nursery_bytes, payload, library)
            INSERT INTO result_summaries (result_id, submission_id, machine_id, interpreter_id, benchmark,
                benchmark_version, procs, nursery_bytes, payload, library, usable_samples, median_cpu_ms, median_wall_ms)
            SELECT i.id, \(prepared.id), \(prepared.machineID), \(interpreterID), i.benchmark, i.benchmark_version,
                i.procs, i.nursery_bytes, i.payload, i.library, v.usable_samples, v.median_cpu_ms, v.median_wall_ms
            FROM inserted i
            JOIN unnest(\(positions)::bigint[], \(prepared.summaries.map(\.usableSamples))::bigint[],
                \(NullableArray(prepared.summaries.map(\.medianCPUMs)))::float8[],
                \(NullableArray(prepared.summaries.map(\.medianWallMs)))::float8[])
                AS v(position, usable_samples, median_cpu_ms, median_wall_ms) ON v.position = i.position
            """, logger: logger)
    }

    /// The screened values of the submission's class peers, as `SQLiteResultStore` reads them:
    /// nothing quarantined, the 1000 most recent, from the covering `submissions_screen` index.
    private func screeningPeers(screenClass: String) async throws -> [Double] {
        var peers: [Double] = []
        let rows = try await client.query(
            """
            SELECT s.screen_cpu_ms FROM submissions s
            WHERE s.screen_class = \(screenClass) AND NOT s.quarantined AND s.screen_cpu_ms IS NOT NULL
                AND s.machine_id NOT IN (SELECT id FROM machines WHERE quarantined)
                AND (s.install_id IS NULL OR s.install_id NOT IN (SELECT id FROM installs WHERE quarantined))
            ORDER BY s.received_at DESC LIMIT 1000
            """, logger: logger)
        for try await value in rows.decode(Double.self) { peers.append(value) }
        return peers
    }
}

/// What an ingest writes, computed before its transaction begins.
struct PreparedIngest: Sendable {
    var submission: Submission
    var credentials: IngestCredentials?
    var curves: [WorkloadCurve]
    /// The stored form of the submission id.
    var id: String
    var machineID: String
    var contentHash: String
    var hardwareJSON: String
    var received: Int64
    var sampleCount: Int
    var sampleBlobs: [ByteBuffer]
    var summaries: [ResultSummaryValues]
    var screenValue: Double?
    var screenVersion: String?
    var screenClass: String?

    init(_ submission: Submission, receivedAt: Date, credentials: IngestCredentials?, curves: [WorkloadCurve]) throws {
        self.submission = submission
        self.credentials = credentials
        self.curves = curves
        id = submission.id.storeText
        machineID = submission.machine.machineID
        contentHash = ContentHash.of(submission)
        hardwareJSON = String(decoding: try WireCoding.makeEncoder().encode(submission.machine), as: UTF8.self)
        received = StoreTime.milliseconds(receivedAt)
        sampleCount = submission.results.reduce(0) { $0 + $1.samples.count }
        sampleBlobs = try submission.results.map { ByteBuffer(bytes: try SampleBlob.encode($0.samples)) }
        summaries = submission.results.map(ResultSummaryValues.init)
        screenValue = OutlierScreen.value(of: submission)
        screenVersion = OutlierScreen.benchmarkVersion(of: submission)
        screenClass = screenValue == nil ? nil : ScreeningClass.of(submission, benchmarkVersion: screenVersion)
    }
}
