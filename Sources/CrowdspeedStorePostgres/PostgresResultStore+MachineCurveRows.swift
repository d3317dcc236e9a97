import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// The machine curves of one machine, by interpreter, workload and procs, inside the
    /// caller's transaction (the machine page reads them with the machine).
    static func machineCurves(machineID: String, on connection: PostgresConnection, logger: Logger) async throws
        -> [MachineCurve]
    {
        try await rows(
            connection,
            """
            SELECT * FROM machine_curves WHERE machine_id = \(machineID)
            ORDER BY implementation, interpreter_version, benchmark, benchmark_version, pypy_gc_min_pinned, procs
            """, logger: logger
        ).map(machineCurve)
    }

    /// A `machine_curves` row, as `SQLiteResultStore` maps it.
    static func machineCurve(_ row: PostgresRandomAccessRow) throws -> MachineCurve {
        let decoder = JSONDecoder()
        let best = try row["best_nursery_bytes"].decode(Int64?.self).map { bytes in
            BestNursery(
                nurseryBytes: bytes, relativeTime: try row["best_relative_time"].decode(Double?.self) ?? .nan,
                intervalLowerBytes: try row["interval_lower_bytes"].decode(Int64?.self),
                intervalUpperBytes: try row["interval_upper_bytes"].decode(Int64?.self),
                confidence: try row["interval_confidence"].decode(Double?.self))
        }
        let summary = MachineCurveSummary(
            submissionCount: try row["submission_count"].decode(Int.self),
            roundCount: try row["round_count"].decode(Int.self),
            defaultNurseryBytes: try row["default_nursery_bytes"].decode(Int64?.self),
            points: try decoder.decode(
                [MachineCurvePoint].self, from: Data(try row["points_json"].decode(String.self).utf8)),
            best: best,
            flatSet: try decoder.decode([Int64].self, from: Data(try row["flat_set_json"].decode(String.self).utf8)),
            defaultInFlatSet: try row["default_in_flat_set"].decode(Bool.self),
            gainOverDefault: try row["gain_over_default"].decode(Double?.self))
        return MachineCurve(key: try machineCurveKey(row), summary: summary, updatedAt: try date(row["updated_at"]))
    }
}
