import CrowdspeedCore
import CrowdspeedFit
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Writes a submission's curves, bumps the refit counters and appends each curve to its
    /// machine key's window (``CurveWindow``). Runs inside the ingest transaction, after the
    /// submission row exists.
    ///
    /// The window is updated from the stored window and the new curve alone, so the work is the
    /// same for a machine's first submission and its five-thousandth. A submission from a
    /// quarantined install is stored but stays out of the windows, as it stays out of everything
    /// shown.
    ///
    /// - Returns: the windows written, for the caller to summarize after the commit.
    static func storeCurves(
        _ db: Database, _ submission: Submission, machineID: String, installID: String?, receivedAt: Int64,
        curves: [WorkloadCurve]
    ) throws -> [CurveWindow] {
        guard !curves.isEmpty else { return [] }
        let machine = submission.machine
        let pinned = submission.run?.pypyGCMin != nil
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO curves (submission_id, machine_id, source, received_at, implementation, interpreter_version,
                    benchmark, benchmark_version, procs, pypy_gc_min_pinned, cpu_model, arch, cpu_vendor, physical_cores,
                    l2_bytes, l3_bytes, cpuinfo_cache_bytes, default_nursery_bytes, round_count, nurseries, round_ids, round_ratios)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for workload in curves {
            let curve = workload.curve
            try insert.execute(arguments: [
                submission.id.storeText, machineID, submission.source.rawValue, receivedAt,
                submission.interpreter.implementation, submission.interpreter.version, workload.benchmark,
                workload.benchmarkVersion,
                workload.procs, pinned, machine.cpuModel, machine.arch, machine.cpuVendor, machine.physicalCores,
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
        if let installID,
            try Bool.fetchOne(
                db.cachedStatement(sql: "SELECT quarantined FROM installs WHERE id = ?"), arguments: [installID])
                == true
        {
            return []
        }
        var written: [CurveWindow] = []
        for workload in curves {
            let key = MachineCurveKey(
                machineID: machineID, implementation: submission.interpreter.implementation,
                interpreterVersion: submission.interpreter.version, benchmark: workload.benchmark,
                benchmarkVersion: workload.benchmarkVersion, procs: workload.procs, pypyGCMinPinned: pinned)
            let stored = try curveWindow(db, key: key)
            let window = CurveWindow(
                key: key, curve: CurveCombiner.appending(workload.curve, to: stored?.curve),
                submissionCount: (stored?.submissionCount ?? 0) + 1, revision: (stored?.revision ?? 0) + 1,
                updatedAt: StoreTime.date(
                    milliseconds: max(receivedAt, stored.map { StoreTime.milliseconds($0.updatedAt) } ?? 0)))
            try saveWindow(db, window)
            written.append(window)
        }
        return written
    }

    /// The curves of one machine key that its window is made of: those of submissions that are
    /// not quarantined, directly or through their install (a quarantined machine is hidden whole,
    /// so its own flag does not matter here).
    static let keyCurves = """
        FROM curves c JOIN submissions s ON s.id = c.submission_id LEFT JOIN installs n ON n.id = s.install_id
        WHERE c.machine_id = ? AND c.implementation = ? AND c.interpreter_version = ? AND c.benchmark = ?
            AND c.benchmark_version = ? AND c.procs = ? AND c.pypy_gc_min_pinned = ?
            AND s.quarantined = 0 AND coalesce(n.quarantined, 0) = 0
        """

    /// The primary key of `machine_curves` and `curve_windows` as statement arguments.
    static func keyArguments(_ key: MachineCurveKey) -> StatementArguments {
        [
            key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion, key.procs,
            key.pypyGCMinPinned,
        ]
    }

    /// The condition matching one key in `machine_curves` or `curve_windows`.
    static let keyCondition = """
        machine_id = ? AND implementation = ? AND interpreter_version = ? AND benchmark = ? AND benchmark_version = ?
            AND procs = ? AND pypy_gc_min_pinned = ?
        """

    /// Rebuilds every window of `machineID` from the curves that remain visible (after a
    /// deletion, a quarantine or a release), in the caller's transaction: the same windows that
    /// ingesting the remaining curves in their original order would have built. A key with no
    /// visible curve left loses its window and its summary; the others get a new revision, which
    /// marks their summaries as behind until they are summarized again.
    static func rebuildWindows(_ db: Database, machineID: String) throws {
        let keys = try Row.fetchAll(
            db,
            sql: """
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM curve_windows WHERE machine_id = ?1
                UNION
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
            let revision =
                try Int64.fetchOne(
                    db, sql: "SELECT revision FROM curve_windows WHERE \(keyCondition)", arguments: keyArguments(key))
                ?? 0
            if let window = try windowFromCurves(db, key: key, revision: revision + 1) {
                try saveWindow(db, window)
            } else {
                try db.execute(sql: "DELETE FROM curve_windows WHERE \(keyCondition)", arguments: keyArguments(key))
                try db.execute(sql: "DELETE FROM machine_curves WHERE \(keyCondition)", arguments: keyArguments(key))
            }
        }
    }

    /// The window of `key` computed from every visible curve (``keyCurves``) in insertion order,
    /// nil when there is none.
    static func windowFromCurves(_ db: Database, key: MachineCurveKey, revision: Int64) throws -> CurveWindow? {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT c.submission_id, c.received_at, c.default_nursery_bytes, c.nurseries, c.round_ids,
                        c.round_ratios \(keyCurves) ORDER BY c.id
                    """),
            arguments: keyArguments(key))
        guard !rows.isEmpty else { return nil }
        let curves = try rows.map { row in
            Curve(
                nurseries: try CurveBlob.int64s(row["nurseries"]), roundIDs: try CurveBlob.rounds(row["round_ids"]),
                roundRatios: try CurveBlob.doubles(row["round_ratios"]),
                defaultNurseryBytes: row["default_nursery_bytes"])
        }
        let submissions = Set(rows.map { $0["submission_id"] as String }).count
        let updated = rows.map { $0["received_at"] as Int64 }.max() ?? 0
        return CurveWindow(
            key: key, curve: CurveCombiner.window(CurveCombiner.combine(curves)), submissionCount: submissions,
            revision: revision, updatedAt: StoreTime.date(milliseconds: updated))
    }

    /// Inserts or replaces a window.
    static func saveWindow(_ db: Database, _ window: CurveWindow) throws {
        let curve = window.curve
        var arguments = keyArguments(window.key)
        arguments += [
            window.submissionCount, curve.defaultNurseryBytes, CurveBlob.encode(curve.nurseries),
            try CurveBlob.encode(rounds: curve.roundIDs), CurveBlob.encode(curve.roundRatios), window.revision,
            StoreTime.milliseconds(window.updatedAt),
        ]
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO curve_windows (machine_id, implementation, interpreter_version, benchmark,
                    benchmark_version, procs, pypy_gc_min_pinned, submission_count, default_nursery_bytes, nurseries,
                    round_ids, round_ratios, revision, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: arguments)
    }

    /// The stored window of `key`, nil when it has none.
    static func curveWindow(_ db: Database, key: MachineCurveKey) throws -> CurveWindow? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM curve_windows WHERE \(keyCondition)"), arguments: keyArguments(key)
        ).map(curveWindow)
    }

    /// The migration that added `curve_windows`.
    static let curveWindowsMigration = "0007_curve_windows"

    /// Builds the windows of every machine key from its stored curves, once, when their migration
    /// is applied. The summaries already stored were computed from the same curves, so they are
    /// marked as current rather than recomputed (a bootstrap per key at the first start).
    static func fillCurveWindows(_ writer: any DatabaseWriter) throws {
        try writer.write { db in
            let keys = try Row.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs,
                        pypy_gc_min_pinned
                    FROM curves
                    """
            ).map { row in
                MachineCurveKey(
                    machineID: row["machine_id"], implementation: row["implementation"],
                    interpreterVersion: row["interpreter_version"], benchmark: row["benchmark"],
                    benchmarkVersion: row["benchmark_version"], procs: row["procs"],
                    pypyGCMinPinned: row["pypy_gc_min_pinned"])
            }
            for key in keys {
                guard let window = try windowFromCurves(db, key: key, revision: 1) else { continue }
                try saveWindow(db, window)
                try db.execute(
                    sql: "UPDATE machine_curves SET window_revision = 1 WHERE \(keyCondition)",
                    arguments: keyArguments(key))
            }
        }
    }

    // MARK: Summaries

    /// The windows of `machineID`, or of every machine when nil, whose summary is missing or was
    /// computed from an older revision; at most `limit`.
    public func staleCurveWindows(machineID: String?, limit: Int) async throws -> [CurveWindow] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT w.* FROM curve_windows w LEFT JOIN machine_curves m
                        ON m.machine_id = w.machine_id AND m.implementation = w.implementation
                        AND m.interpreter_version = w.interpreter_version AND m.benchmark = w.benchmark
                        AND m.benchmark_version = w.benchmark_version AND m.procs = w.procs
                        AND m.pypy_gc_min_pinned = w.pypy_gc_min_pinned
                    WHERE (?1 IS NULL OR w.machine_id = ?1) AND coalesce(m.window_revision, 0) < w.revision
                    LIMIT ?2
                    """, arguments: [machineID, max(0, limit)]
            ).map(Self.curveWindow)
        }
    }

    /// Stores `summary` as the summary of `window`'s key, unless a summary of the same or a newer
    /// revision is already there (a slower computation from an older window never overwrites a
    /// newer one), and unless the window is gone (its curves were deleted meanwhile).
    public func saveCurveSummary(_ summary: MachineCurveSummary, of window: CurveWindow) async throws {
        try await writer.write { db in
            guard
                let current = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT revision FROM curve_windows WHERE \(Self.keyCondition)"),
                    arguments: Self.keyArguments(window.key)), current >= window.revision
            else { return }
            try Self.upsertMachineCurve(
                db, key: window.key, summary: summary, windowRevision: window.revision,
                updatedAt: StoreTime.milliseconds(window.updatedAt))
        }
    }

    /// Inserts or replaces the summary of one machine key when `windowRevision` is newer than the
    /// stored one's.
    static func upsertMachineCurve(
        _ db: Database, key: MachineCurveKey, summary: MachineCurveSummary, windowRevision: Int64, updatedAt: Int64
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let points = String(decoding: try encoder.encode(summary.points), as: UTF8.self)
        let flat = String(decoding: try encoder.encode(summary.flatSet), as: UTF8.self)
        let best = summary.best
        var arguments = keyArguments(key)
        arguments += [
            max(1, summary.submissionCount), summary.roundCount, summary.defaultNurseryBytes, points,
            best?.nurseryBytes, best?.relativeTime.finiteValue, best?.intervalLowerBytes,
            best?.intervalLowerBytes == nil ? nil : best?.intervalUpperBytes, best?.confidence?.finiteValue, flat,
            summary.defaultInFlatSet, summary.gainOverDefault?.finiteValue, updatedAt, windowRevision,
        ]
        try db.cachedStatement(
            sql: """
                INSERT INTO machine_curves (machine_id, implementation, interpreter_version, benchmark, benchmark_version,
                    procs, pypy_gc_min_pinned, submission_count, round_count, default_nursery_bytes, points_json,
                    best_nursery_bytes, best_relative_time, interval_lower_bytes, interval_upper_bytes, interval_confidence,
                    flat_set_json, default_in_flat_set, gain_over_default, updated_at, window_revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs,
                    pypy_gc_min_pinned)
                DO UPDATE SET submission_count = excluded.submission_count, round_count = excluded.round_count,
                    default_nursery_bytes = excluded.default_nursery_bytes, points_json = excluded.points_json,
                    best_nursery_bytes = excluded.best_nursery_bytes, best_relative_time = excluded.best_relative_time,
                    interval_lower_bytes = excluded.interval_lower_bytes,
                    interval_upper_bytes = excluded.interval_upper_bytes,
                    interval_confidence = excluded.interval_confidence, flat_set_json = excluded.flat_set_json,
                    default_in_flat_set = excluded.default_in_flat_set, gain_over_default = excluded.gain_over_default,
                    updated_at = excluded.updated_at, window_revision = excluded.window_revision
                WHERE excluded.window_revision > machine_curves.window_revision
                """
        ).execute(arguments: arguments)
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

    /// The key columns of a `machine_curves`, `curve_windows` or `curves` row.
    static func machineCurveKey(_ row: Row) -> MachineCurveKey {
        MachineCurveKey(
            machineID: row["machine_id"], implementation: row["implementation"],
            interpreterVersion: row["interpreter_version"],
            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], procs: row["procs"],
            pypyGCMinPinned: row["pypy_gc_min_pinned"])
    }

    /// A `curve_windows` row.
    static func curveWindow(_ row: Row) throws -> CurveWindow {
        CurveWindow(
            key: machineCurveKey(row),
            curve: Curve(
                nurseries: try CurveBlob.int64s(row["nurseries"]), roundIDs: try CurveBlob.rounds(row["round_ids"]),
                roundRatios: try CurveBlob.doubles(row["round_ratios"]),
                defaultNurseryBytes: row["default_nursery_bytes"]),
            submissionCount: row["submission_count"], revision: row["revision"],
            updatedAt: StoreTime.date(milliseconds: row["updated_at"]))
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
        let summary = MachineCurveSummary(
            submissionCount: row["submission_count"], roundCount: row["round_count"],
            defaultNurseryBytes: row["default_nursery_bytes"],
            points: try decoder.decode([MachineCurvePoint].self, from: Data(pointsJSON.utf8)), best: best,
            flatSet: try decoder.decode([Int64].self, from: Data(flatJSON.utf8)),
            defaultInFlatSet: row["default_in_flat_set"],
            gainOverDefault: row["gain_over_default"])
        return MachineCurve(
            key: machineCurveKey(row), summary: summary, updatedAt: StoreTime.date(milliseconds: row["updated_at"]))
    }
}
