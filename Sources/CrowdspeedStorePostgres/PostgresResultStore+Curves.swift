import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import PostgresNIO

/// The machine curves on PostgreSQL: the same rows and bytes as `SQLiteResultStore+Curves.swift`
/// (windows packed with ``CurveBlob``, summaries as sorted-key JSON), so a copy between the
/// backends is byte for byte. The windows themselves are written by ingest, deletion and
/// moderation; this file reads them and stores their summaries.
extension PostgresResultStore: CurveStore {
    /// The machine curves of one machine, by interpreter, workload and procs.
    public func machineCurves(machineID: String) async throws -> [MachineCurve] {
        try await client.withConnection { connection in
            try await Self.machineCurves(machineID: machineID, on: connection, logger: logger)
        }
    }

    /// The windows of `machineID` (every machine's when nil) whose summary is missing or was
    /// computed from an older revision; at most `limit`.
    public func staleCurveWindows(machineID: String?, limit: Int) async throws -> [CurveWindow] {
        try await rows(
            """
            SELECT w.* FROM curve_windows w LEFT JOIN machine_curves m
                ON m.machine_id = w.machine_id AND m.implementation = w.implementation
                AND m.interpreter_version = w.interpreter_version AND m.benchmark = w.benchmark
                AND m.benchmark_version = w.benchmark_version AND m.procs = w.procs
                AND m.pypy_gc_min_pinned = w.pypy_gc_min_pinned
            WHERE (\(machineID)::text IS NULL OR w.machine_id = \(machineID)) AND coalesce(m.window_revision, 0) < w.revision
            LIMIT \(max(0, limit))
            """
        ).map(Self.curveWindow)
    }

    /// Stores `summary` as the summary of `window`'s key, unless a summary of the same or a newer
    /// revision is there already, and unless the window is gone.
    ///
    /// The window row is read `FOR SHARE` in the summary's transaction: a deletion or moderation
    /// that removes the window (and with it the summary) waits for this commit, so a summary
    /// never outlives its window, whichever instance writes it.
    public func saveCurveSummary(_ summary: MachineCurveSummary, of window: CurveWindow) async throws {
        let key = window.key
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let points = String(decoding: try encoder.encode(summary.points), as: UTF8.self)
        let flat = String(decoding: try encoder.encode(summary.flatSet), as: UTF8.self)
        let best = summary.best
        let updatedAt = StoreTime.milliseconds(window.updatedAt)
        let intervalUpper = best?.intervalLowerBytes == nil ? nil : best?.intervalUpperBytes
        try await transaction { connection in
            let current = try await connection.query(
                """
                SELECT revision FROM curve_windows
                WHERE machine_id = \(key.machineID) AND implementation = \(key.implementation)
                    AND interpreter_version = \(key.interpreterVersion) AND benchmark = \(key.benchmark)
                    AND benchmark_version = \(key.benchmarkVersion) AND procs = \(key.procs)
                    AND pypy_gc_min_pinned = \(key.pypyGCMinPinned)
                FOR SHARE
                """, logger: logger
            ).collect().first?.decode(Int64.self)
            guard let current, current >= window.revision else { return }
            try await connection.query(
                """
                INSERT INTO machine_curves (machine_id, implementation, interpreter_version, benchmark, benchmark_version,
                    procs, pypy_gc_min_pinned, submission_count, round_count, default_nursery_bytes, points_json,
                    best_nursery_bytes, best_relative_time, interval_lower_bytes, interval_upper_bytes, interval_confidence,
                    flat_set_json, default_in_flat_set, gain_over_default, updated_at, window_revision)
                VALUES (\(key.machineID), \(key.implementation), \(key.interpreterVersion), \(key.benchmark),
                    \(key.benchmarkVersion), \(key.procs), \(key.pypyGCMinPinned), \(max(1, summary.submissionCount)),
                    \(summary.roundCount), \(summary.defaultNurseryBytes), \(points), \(best?.nurseryBytes),
                    \(best?.relativeTime.finiteValue), \(best?.intervalLowerBytes), \(intervalUpper),
                    \(best?.confidence?.finiteValue), \(flat), \(summary.defaultInFlatSet),
                    \(summary.gainOverDefault?.finiteValue), \(updatedAt), \(window.revision))
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
                """, logger: logger)
        }
    }
}
