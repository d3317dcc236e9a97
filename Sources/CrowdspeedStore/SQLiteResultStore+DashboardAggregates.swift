import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// The migration that added `result_summaries`.
    static let resultSummariesMigration = "0004_dashboard"

    /// Summarizes the results stored before migration 0004: reads their blobs once, when the
    /// migration is applied, and never again.
    ///
    /// - Returns: how many results were summarized.
    @discardableResult
    static func fillMissingResultSummaries(_ writer: any DatabaseWriter) throws -> Int {
        try writer.write { db -> Int in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.id, r.submission_id, r.benchmark, r.benchmark_version, r.procs, r.nursery_bytes, r.payload,
                        r.library, r.unit, r.samples, s.machine_id, s.interpreter_id
                    FROM results r JOIN submissions s ON s.id = r.submission_id
                    LEFT JOIN result_summaries rs ON rs.result_id = r.id
                    WHERE rs.result_id IS NULL
                    """)
            for row in rows {
                let result = try benchmarkResult(row)
                try insertSummary(
                    db, resultID: row["id"], submissionID: row["submission_id"], machineID: row["machine_id"],
                    interpreterID: row["interpreter_id"], result: result, values: ResultSummaryValues(result))
            }
            return rows.count
        }
    }

    /// Inserts the summary row of the stored result `resultID`, in the caller's transaction (an
    /// ingest's, so the summaries exist exactly when the results do).
    static func insertSummary(
        _ db: Database, resultID: Int64, submissionID: String, machineID: String, interpreterID: Int64,
        result: BenchmarkResult,
        values: ResultSummaryValues
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO result_summaries (result_id, submission_id, machine_id, interpreter_id, benchmark, benchmark_version,
                    procs, nursery_bytes, payload, library, usable_samples, median_cpu_ms, median_wall_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (result_id) DO NOTHING
                """
        ).execute(arguments: [
            resultID, submissionID, machineID, interpreterID, result.benchmark, result.benchmarkVersion,
            result.params.procs, result.params.nurseryBytes, result.params.payload, result.params.library,
            values.usableSamples, values.medianCPUMs, values.medianWallMs,
        ])
    }
}
