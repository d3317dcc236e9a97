import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Writes a submission's curves, bumps the refit counters and rewrites the machine curves
    /// they touch. Runs inside the ingest transaction, after the submission row exists.
    ///
    /// A key's summary comes from `presummaries` when the key's stored curves are still the ones
    /// it was computed from; otherwise (a concurrent ingest or deletion touched the machine) it is
    /// computed here from what is stored.
    static func storeCurves(
        _ db: Database, _ submission: Submission, machineID: String, receivedAt: Int64, aggregates: IngestAggregates,
        presummaries: [MachineCurveKey: Presummary] = [:]
    ) throws {
        guard !aggregates.curves.isEmpty else { return }
        let keys = machineCurveKeys(submission, machineID: machineID, aggregates: aggregates)
        // Fingerprints are taken before this submission's curves are inserted.
        var reusable: [MachineCurveKey: MachineCurveSummary] = [:]
        for key in keys {
            if let presummary = presummaries[key], try fingerprint(db, key: key) == presummary.fingerprint {
                reusable[key] = presummary.summary
            }
        }
        let machine = submission.machine
        let pinned = submission.run?.pypyGCMin != nil
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO curves (submission_id, machine_id, source, received_at, implementation, interpreter_version,
                    benchmark, benchmark_version, procs, pypy_gc_min_pinned, cpu_model, arch, cpu_vendor, physical_cores,
                    l2_bytes, l3_bytes, cpuinfo_cache_bytes, default_nursery_bytes, round_count, nurseries, round_ids, round_ratios)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for curve in aggregates.curves {
            guard curve.roundRatios.count == curve.roundIDs.count * curve.nurseries.count else {
                throw SampleBlobError.malformed("curve ratios do not match its rounds × sizes")
            }
            try insert.execute(arguments: [
                submission.id.storeText, machineID, submission.source.rawValue, receivedAt,
                submission.interpreter.implementation, submission.interpreter.version, curve.benchmark,
                curve.benchmarkVersion,
                curve.procs, pinned, machine.cpuModel, machine.arch, machine.cpuVendor, machine.physicalCores,
                machine.cacheBytes(level: 2), machine.cacheBytes(level: 3), machine.cpuinfoCacheBytes,
                curve.defaultNurseryBytes,
                curve.roundIDs.count, CurveBlob.encode(curve.nurseries), try CurveBlob.encode(rounds: curve.roundIDs),
                CurveBlob.encode(curve.roundRatios),
            ])
        }
        // Pinned runs never enter a fit, so they do not make one due.
        if !pinned {
            let scopes = FormulaScope.allCases.filter { $0.sources.contains(submission.source) }.map(\.rawValue)
            for scope in scopes {
                try db.cachedStatement(sql: "UPDATE fit_state SET submissions = submissions + 1 WHERE scope = ?")
                    .execute(arguments: [scope])
            }
        }
        for key in keys {
            let summary = try reusable[key] ?? aggregates.summarizer.summarize(storedCurves(db, key: key))
            try upsertMachineCurve(db, key: key, summary: summary, updatedAt: receivedAt)
        }
    }

    /// The machine-curve keys a submission's curves belong to, in first-seen order.
    static func machineCurveKeys(_ submission: Submission, machineID: String, aggregates: IngestAggregates)
        -> [MachineCurveKey]
    {
        var keys: [MachineCurveKey] = []
        for curve in aggregates.curves {
            let key = MachineCurveKey(
                machineID: machineID, implementation: submission.interpreter.implementation,
                interpreterVersion: submission.interpreter.version, benchmark: curve.benchmark,
                benchmarkVersion: curve.benchmarkVersion, procs: curve.procs,
                pypyGCMinPinned: submission.run?.pypyGCMin != nil)
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }

    /// The curves of one machine key that its summary is made of: those of submissions that
    /// are not quarantined, directly or through their install (a quarantined machine is hidden
    /// whole, so its own flag does not matter here).
    static let keyCurves = """
        FROM curves c JOIN submissions s ON s.id = c.submission_id LEFT JOIN installs n ON n.id = s.install_id
        WHERE c.machine_id = ? AND c.implementation = ? AND c.interpreter_version = ? AND c.benchmark = ?
            AND c.benchmark_version = ? AND c.procs = ? AND c.pypy_gc_min_pinned = ?
            AND s.quarantined = 0 AND coalesce(n.quarantined, 0) = 0
        """

    /// The fingerprint of the summarized curves of `key` (``keyCurves``).
    static func fingerprint(_ db: Database, key: MachineCurveKey) throws -> CurveFingerprint {
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT count(*) AS n, coalesce(max(c.id), 0) AS top, coalesce(sum(c.id), 0) AS total \(keyCurves)
                    """),
            arguments: [
                key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion,
                key.procs,
                key.pypyGCMinPinned,
            ])
        return CurveFingerprint(count: row?["n"] ?? 0, maximumID: row?["top"] ?? 0, idSum: row?["total"] ?? 0)
    }

    /// The summaries of the machine curves `submission` will touch, computed outside the write
    /// transaction from one read of the machine's stored curves plus the submission's own, in
    /// the order the writer would read them back (by receipt, the new ones last).
    func presummarize(
        _ submission: Submission, machineID: String, received: Int64, aggregates: IngestAggregates
    ) async throws -> [MachineCurveKey: Presummary] {
        guard !aggregates.curves.isEmpty else { return [:] }
        let keys = Self.machineCurveKeys(submission, machineID: machineID, aggregates: aggregates)
        let stored = try await writer.read { db -> [(MachineCurveKey, CurveFingerprint, [StoredCurve])] in
            try keys.map { key in (key, try Self.fingerprint(db, key: key), try Self.storedCurves(db, key: key)) }
        }
        let machine = submission.machine
        let receivedAt = StoreTime.date(milliseconds: received)
        var presummaries: [MachineCurveKey: Presummary] = [:]
        for (key, fingerprint, curves) in stored {
            let own = aggregates.curves.filter {
                $0.benchmark == key.benchmark && $0.benchmarkVersion == key.benchmarkVersion && $0.procs == key.procs
            }
            .map { curve in
                StoredCurve(
                    submissionID: submission.id, machineID: machineID, source: submission.source,
                    receivedAt: receivedAt,
                    implementation: submission.interpreter.implementation,
                    interpreterVersion: submission.interpreter.version,
                    pypyGCMinPinned: key.pypyGCMinPinned, cpuModel: machine.cpuModel, arch: machine.arch,
                    cpuVendor: machine.cpuVendor, physicalCores: machine.physicalCores,
                    l2Bytes: machine.cacheBytes(level: 2),
                    l3Bytes: machine.cacheBytes(level: 3), cpuinfoCacheBytes: machine.cpuinfoCacheBytes,
                    aggregate: curve)
            }
            // Stable: stored curves keep their (received_at, id) order; the new ones, with the
            // largest ids, follow those received at the same millisecond.
            let all = (curves + own).enumerated().sorted {
                ($0.element.receivedAt, $0.offset) < ($1.element.receivedAt, $1.offset)
            }.map(\.element)
            presummaries[key] = Presummary(fingerprint: fingerprint, summary: aggregates.summarizer.summarize(all))
        }
        return presummaries
    }

    /// The summarized curves of one machine key (``keyCurves``), oldest first.
    static func storedCurves(_ db: Database, key: MachineCurveKey) throws -> [StoredCurve] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT c.* \(keyCurves) ORDER BY c.received_at, c.id"),
            arguments: [
                key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion,
                key.procs,
                key.pypyGCMinPinned,
            ]
        ).map(storedCurve)
    }

    /// Inserts or replaces the summary of one machine key.
    static func upsertMachineCurve(_ db: Database, key: MachineCurveKey, summary: MachineCurveSummary, updatedAt: Int64)
        throws
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let points = String(decoding: try encoder.encode(summary.points), as: UTF8.self)
        let flat = String(decoding: try encoder.encode(summary.flatSet), as: UTF8.self)
        let best = summary.best
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO machine_curves (machine_id, implementation, interpreter_version, benchmark, benchmark_version,
                    procs, pypy_gc_min_pinned, submission_count, round_count, default_nursery_bytes, points_json,
                    best_nursery_bytes, best_relative_time, interval_lower_bytes, interval_upper_bytes, interval_confidence,
                    flat_set_json, default_in_flat_set, gain_over_default, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion, key.procs,
            key.pypyGCMinPinned, max(1, summary.submissionCount), summary.roundCount, summary.defaultNurseryBytes,
            points,
            best?.nurseryBytes, best.map(\.relativeTime).flatMap(finite), best?.intervalLowerBytes,
            best?.intervalLowerBytes == nil ? nil : best?.intervalUpperBytes, best?.confidence.flatMap(finite), flat,
            summary.defaultInFlatSet, summary.gainOverDefault.flatMap(finite), updatedAt,
        ])
    }

    /// Nil for NaN and infinities, which SQLite would store as NULL or refuse anyway.
    private static func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }

    /// Rewrites every machine curve of `machineID` from the curves that remain (after a
    /// deletion), and removes the ones with no curve left, in one transaction.
    public func refreshMachineCurves(machineID: String, summarizer: any CurveSummarizer, at: Date) async throws {
        try await writer.write { db in
            try Self.refreshMachineCurves(
                db, machineID: machineID, summarizer: summarizer, at: StoreTime.milliseconds(at))
        }
    }

    /// Rewrites the machine curves of `machineID` inside an open write: every key it has a
    /// summary or a curve for is summarized again from its ``keyCurves``, and removed when none
    /// is left (after a deletion, or a quarantine of all of them).
    static func refreshMachineCurves(_ db: Database, machineID: String, summarizer: any CurveSummarizer, at now: Int64)
        throws
    {
        let keys = try Row.fetchAll(
            db,
            sql: """
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM machine_curves WHERE machine_id = ?1
                UNION
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM curves WHERE machine_id = ?1
                """, arguments: [machineID]
        ).map { row in
            MachineCurveKey(
                machineID: machineID, implementation: row["implementation"],
                interpreterVersion: row["interpreter_version"],
                benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], procs: row["procs"],
                pypyGCMinPinned: row["pypy_gc_min_pinned"])
        }
        for key in keys {
            let curves = try storedCurves(db, key: key)
            if curves.isEmpty {
                try db.execute(
                    sql: """
                        DELETE FROM machine_curves WHERE machine_id = ? AND implementation = ? AND interpreter_version = ?
                            AND benchmark = ? AND benchmark_version = ? AND procs = ? AND pypy_gc_min_pinned = ?
                        """,
                    arguments: [
                        key.machineID, key.implementation, key.interpreterVersion, key.benchmark,
                        key.benchmarkVersion, key.procs, key.pypyGCMinPinned,
                    ])
            } else {
                let updated = curves.map { StoreTime.milliseconds($0.receivedAt) }.max() ?? now
                try upsertMachineCurve(db, key: key, summary: summarizer.summarize(curves), updatedAt: updated)
            }
        }
    }

    // MARK: Reads

    /// The machine curves of one machine, by interpreter, workload and procs.
    public func machineCurves(machineID: String) async throws -> [MachineCurve] {
        try await writer.read { db in try Self.machineCurves(db, machineID: machineID) }
    }

    /// The machine curves of `machineID` inside an open read.
    static func machineCurves(_ db: Database, machineID: String) throws -> [MachineCurve] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM machine_curves WHERE machine_id = ?
                ORDER BY implementation, interpreter_version, benchmark, benchmark_version, pypy_gc_min_pinned, procs
                """, arguments: [machineID]
        ).map(machineCurve)
    }

    // MARK: Row mapping

    /// A `curves` row.
    static func storedCurve(_ row: Row) throws -> StoredCurve {
        let aggregate = CurveAggregate(
            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], procs: row["procs"],
            nurseries: try CurveBlob.int64s(row["nurseries"]), roundIDs: try CurveBlob.rounds(row["round_ids"]),
            roundRatios: try CurveBlob.doubles(row["round_ratios"]), defaultNurseryBytes: row["default_nursery_bytes"])
        return StoredCurve(
            submissionID: try uuid(row["submission_id"]), machineID: row["machine_id"],
            source: try source(row["source"]),
            receivedAt: StoreTime.date(milliseconds: row["received_at"]), implementation: row["implementation"],
            interpreterVersion: row["interpreter_version"], pypyGCMinPinned: row["pypy_gc_min_pinned"],
            cpuModel: row["cpu_model"],
            arch: row["arch"], cpuVendor: row["cpu_vendor"], physicalCores: row["physical_cores"],
            l2Bytes: row["l2_bytes"],
            l3Bytes: row["l3_bytes"], cpuinfoCacheBytes: row["cpuinfo_cache_bytes"], aggregate: aggregate)
    }

    /// A `machine_curves` row.
    static func machineCurve(_ row: Row) throws -> MachineCurve {
        let decoder = JSONDecoder()
        let pointsJSON: String = row["points_json"]
        let flatJSON: String = row["flat_set_json"]
        let bestBytes: Int64? = row["best_nursery_bytes"]
        let best = bestBytes.map { bytes in
            BestNursery(
                nurseryBytes: bytes, relativeTime: row["best_relative_time"] ?? .nan,
                intervalLowerBytes: row["interval_lower_bytes"],
                intervalUpperBytes: row["interval_upper_bytes"], confidence: row["interval_confidence"])
        }
        let key = MachineCurveKey(
            machineID: row["machine_id"], implementation: row["implementation"],
            interpreterVersion: row["interpreter_version"],
            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], procs: row["procs"],
            pypyGCMinPinned: row["pypy_gc_min_pinned"])
        let summary = MachineCurveSummary(
            submissionCount: row["submission_count"], roundCount: row["round_count"],
            defaultNurseryBytes: row["default_nursery_bytes"],
            points: try decoder.decode([MachineCurvePoint].self, from: Data(pointsJSON.utf8)), best: best,
            flatSet: try decoder.decode([Int64].self, from: Data(flatJSON.utf8)),
            defaultInFlatSet: row["default_in_flat_set"],
            gainOverDefault: row["gain_over_default"])
        return MachineCurve(key: key, summary: summary, updatedAt: StoreTime.date(milliseconds: row["updated_at"]))
    }
}
