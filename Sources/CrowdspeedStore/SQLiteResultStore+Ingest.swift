import CrowdspeedCore
import CrowdspeedFit
import Foundation
import GRDB
import Logging

extension SQLiteResultStore {
    /// Stores `submission` atomically: the machine row and its aggregates, the interpreter, the
    /// install, the submission with its deletion digest and plausibility flag, and one row per
    /// result with its packed samples.
    ///
    /// The writes run in a savepoint of a group-committed transaction (``IngestBatcher``): a
    /// failure rolls back this submission only, and the call returns after the batch's commit,
    /// so the server acknowledges only what is durable to the configured level. The id check
    /// runs inside the same transaction as the inserts, and there is one writer, so two
    /// concurrent deliveries of the same submission store it once. `receivedAt` is kept to the
    /// millisecond.
    public func ingest(
        _ submission: Submission, receivedAt: Date, credentials: IngestCredentials?, curves: [WorkloadCurve]
    ) async throws -> IngestResult {
        // Everything that can be computed outside the writer is, to keep the write lock short.
        let machineID = submission.machine.machineID
        let contentHash = ContentHash.of(submission)
        let blobs = try submission.results.map { try SampleBlob.encode($0.samples) }
        let hardwareJSON = try String(decoding: WireCoding.makeEncoder().encode(submission.machine), as: UTF8.self)
        let received = StoreTime.milliseconds(receivedAt)
        let screenValue = OutlierScreen.value(of: submission)
        let screenVersion = OutlierScreen.benchmarkVersion(of: submission)
        let summaries = submission.results.map(ResultSummaryValues.init)
        // The plausibility screen judges against the peers stored before this write began;
        // reading them here rather than in the single writer keeps it off the critical path.
        let peers =
            screenValue == nil
            ? []
            : try await writer.read { db in
                try Self.screeningPeers(db, submission: submission, benchmarkVersion: screenVersion)
            }
        let flag = screenValue.flatMap { OutlierScreen.flag($0, peers: peers) }
        let result = try await batcher.submit { db -> IngestResult in
            let submissionID = submission.id.storeText
            let presentedInstall = try credentials?.presentedInstallHash.flatMap {
                try Self.installID(db, tokenHash: $0)
            }
            if let existing = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT content_hash, machine_id, install_id FROM submissions WHERE id = ?"),
                arguments: [submissionID])
            {
                let storedHash: String = existing["content_hash"]
                guard try ContentHash.matches(storedHash, submission, current: contentHash) else {
                    throw StoreError.idConflict(submission.id)
                }
                let storedInstall: String? = existing["install_id"]
                // The same install repeating its submission lost the first response, and with it
                // the deletion token: hand out a new one (the old one stops working).
                var rotated = false
                if let credentials, let storedInstall, storedInstall == presentedInstall {
                    try db.execute(
                        sql: "UPDATE submissions SET deletion_token_hash = ? WHERE id = ?",
                        arguments: [credentials.deletionHash, submissionID])
                    rotated = true
                }
                return IngestResult(
                    outcome: .duplicate(machineID: existing["machine_id"]), installID: storedInstall,
                    deletionIssued: rotated)
            }
            var installID = presentedInstall
            var installIssued = false
            if let credentials, installID == nil {
                installID = try Self.createInstall(db, tokenHash: credentials.newInstallHash, at: received)
                installIssued = true
            }
            try Self.upsertMachine(
                db, id: machineID, machine: submission.machine, hardwareJSON: hardwareJSON, seen: received)
            let interpreterID = try Self.interpreterID(db, submission.interpreter)
            try Self.insertSubmission(
                db, submission, machineID: machineID, interpreterID: interpreterID, machineJSON: hardwareJSON,
                receivedAt: received, contentHash: contentHash)
            try db.cachedStatement(
                sql: """
                    UPDATE submissions SET install_id = ?, deletion_token_hash = ?, origin_hash = ?, flag_reason = ?,
                        screen_cpu_ms = ?, screen_benchmark_version = ?, screen_class = ?
                    WHERE id = ?
                    """
            ).execute(arguments: [
                installID, credentials?.deletionHash, credentials?.origin, flag, screenValue, screenVersion,
                screenValue == nil ? nil : ScreeningClass.of(submission, benchmarkVersion: screenVersion),
                submissionID,
            ])
            try Self.countIngest(
                db, submissionID: submissionID, machineID: machineID, interpreterID: interpreterID,
                installID: installID, samples: submission.results.reduce(0) { $0 + $1.samples.count },
                receivedAt: received)
            let insertResult = try db.cachedStatement(
                sql: """
                    INSERT INTO results (submission_id, position, benchmark, benchmark_version, params_key,
                        procs, nursery_bytes, payload, library, unit, sample_count, samples)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for (position, (result, blob)) in zip(submission.results, blobs).enumerated() {
                let params = result.params
                try insertResult.execute(arguments: [
                    submissionID, position, result.benchmark, result.benchmarkVersion, params.canonicalKey,
                    params.procs, params.nurseryBytes, params.payload, params.library, result.unit,
                    result.samples.count, blob,
                ])
                // The dashboard's timing summary of the result (0004_dashboard.sql), likewise.
                try Self.insertSummary(
                    db, resultID: db.lastInsertedRowID, submissionID: submissionID, machineID: machineID,
                    interpreterID: interpreterID, result: result, values: summaries[position])
            }
            // The curves and the windows they extend, in the submission's transaction.
            let windows = try Self.storeCurves(
                db, submission, machineID: machineID, installID: installID, receivedAt: received, curves: curves)
            return IngestResult(
                outcome: .created(machineID: machineID), installID: installID, installIssued: installIssued,
                deletionIssued: credentials != nil, flagReason: flag, curveWindows: windows)
        }
        if case .created = result.outcome {
            logger.debug("stored submission", metadata: ["submission": "\(submission.id)", "machine": "\(machineID)"])
        }
        return result
    }

    /// The install whose token digest is `tokenHash`, or nil when none is.
    static func installID(_ db: Database, tokenHash: String) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM installs WHERE token_hash = ?"), arguments: [tokenHash])
    }

    /// Creates an install for a fresh token digest; its public id is `i-` + the digest's first 16
    /// hex digits (revealing part of a digest of a 256-bit secret reveals nothing usable).
    static func createInstall(_ db: Database, tokenHash: String, at received: Int64) throws -> String {
        let id = "i-" + tokenHash.prefix(16)
        try db.execute(
            sql: "INSERT INTO installs (id, token_hash, created_at) VALUES (?, ?, ?)",
            arguments: [id, tokenHash, received])
        return id
    }

    /// The screened values of the submission's peers: same architecture × CPU vendor, same
    /// interpreter implementation and gcbench version, nothing quarantined; the 1000 most recent,
    /// read from the covering `submissions_screen` index in receipt order, with quarantined
    /// machines and installs excluded through their own small indexes
    /// (0006_screening_covering.sql): the work per ingest is a few index pages whatever the size
    /// of the class.
    static func screeningPeers(_ db: Database, submission: Submission, benchmarkVersion: String?) throws -> [Double] {
        guard let screenClass = ScreeningClass.of(submission, benchmarkVersion: benchmarkVersion) else { return [] }
        return try Double.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT s.screen_cpu_ms FROM submissions s
                    WHERE s.screen_class = ? AND s.quarantined = 0 AND s.screen_cpu_ms IS NOT NULL
                        AND s.machine_id NOT IN (SELECT id FROM machines WHERE quarantined = 1)
                        AND (s.install_id IS NULL OR s.install_id NOT IN (SELECT id FROM installs WHERE quarantined = 1))
                    ORDER BY s.received_at DESC LIMIT 1000
                    """), arguments: [screenClass])
    }

    /// Inserts the machine or updates its aggregates. The hardware columns follow the most
    /// recently received submission; an older one arriving late (from a spool) only counts.
    private static func upsertMachine(
        _ db: Database, id: String, machine: MachineInfo, hardwareJSON: String, seen: Int64
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO machines (id, arch, os, os_version, kernel, cpu_vendor, cpu_model, physical_cores,
                    logical_cpus, memory_bytes, l2_bytes, l3_bytes, cpuinfo_cache_bytes, virtualized, cpu_quota,
                    hardware_json, submission_count, first_seen, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    arch = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.arch ELSE machines.arch END,
                    os = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.os ELSE machines.os END,
                    os_version = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.os_version ELSE machines.os_version END,
                    kernel = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.kernel ELSE machines.kernel END,
                    cpu_vendor = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.cpu_vendor ELSE machines.cpu_vendor END,
                    cpu_model = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.cpu_model ELSE machines.cpu_model END,
                    physical_cores = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.physical_cores ELSE machines.physical_cores END,
                    logical_cpus = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.logical_cpus ELSE machines.logical_cpus END,
                    memory_bytes = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.memory_bytes ELSE machines.memory_bytes END,
                    l2_bytes = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.l2_bytes ELSE machines.l2_bytes END,
                    l3_bytes = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.l3_bytes ELSE machines.l3_bytes END,
                    cpuinfo_cache_bytes = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.cpuinfo_cache_bytes ELSE machines.cpuinfo_cache_bytes END,
                    virtualized = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.virtualized ELSE machines.virtualized END,
                    cpu_quota = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.cpu_quota ELSE machines.cpu_quota END,
                    hardware_json = CASE WHEN excluded.last_seen >= machines.last_seen THEN excluded.hardware_json ELSE machines.hardware_json END,
                    submission_count = machines.submission_count + 1,
                    first_seen = min(machines.first_seen, excluded.first_seen),
                    last_seen = max(machines.last_seen, excluded.last_seen)
                """)
        try statement.execute(arguments: [
            id, machine.arch, machine.os, machine.osVersion, machine.kernel, machine.cpuVendor, machine.cpuModel,
            machine.physicalCores, machine.logicalCPUs, machine.memoryBytes, machine.cacheBytes(level: 2),
            machine.cacheBytes(level: 3), machine.cpuinfoCacheBytes, machine.virtualized, machine.cpuQuota,
            hardwareJSON, seen, seen,
        ])
    }

    /// The id of the interpreter row, inserted when new.
    private static func interpreterID(_ db: Database, _ interpreter: InterpreterInfo) throws -> Int64 {
        let arguments: StatementArguments = [
            interpreter.implementation, interpreter.version, interpreter.languageVersion,
        ]
        try db.cachedStatement(
            sql: """
                INSERT INTO interpreters (implementation, version, language_version) VALUES (?, ?, ?)
                ON CONFLICT (implementation, version, language_version) DO NOTHING
                """
        ).execute(arguments: arguments)
        let select = try db.cachedStatement(
            sql: """
                SELECT id FROM interpreters WHERE implementation = ? AND version = ? AND language_version = ?
                """)
        guard let id = try Int64.fetchOne(select, arguments: arguments) else {
            throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "interpreter row missing after insert")
        }
        return id
    }

    /// Inserts the submission row.
    private static func insertSubmission(
        _ db: Database, _ submission: Submission, machineID: String, interpreterID: Int64, machineJSON: String,
        receivedAt: Int64, contentHash: String
    ) throws {
        let run = submission.run
        try db.cachedStatement(
            sql: """
                INSERT INTO submissions (id, schema_version, machine_id, interpreter_id, created_at, received_at, source,
                    agent_name, agent_version, executable, machine_json, run_seed, run_rounds, run_warmup_rounds,
                    run_pypy_gc_min, run_stop_reason, content_hash, result_count, sample_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            submission.id.storeText, submission.schemaVersion, machineID, interpreterID,
            StoreTime.milliseconds(submission.createdAt), receivedAt, submission.source.rawValue,
            submission.agent.name, submission.agent.version, submission.interpreter.executable, machineJSON,
            // SQLite integers are signed 64-bit: the seed keeps its bits, read back with the same cast.
            run.map { Int64(bitPattern: $0.seed) }, run?.rounds, run?.warmupRounds, run?.pypyGCMin, run?.stopReason,
            contentHash, submission.results.count, submission.results.reduce(0) { $0 + $1.samples.count },
        ])
    }
}

extension UUID {
    /// The stored form of a submission id: lowercase, as RFC 9562 writes UUIDs and PostgreSQL prints them.
    public var storeText: String { uuidString.lowercased() }
}
