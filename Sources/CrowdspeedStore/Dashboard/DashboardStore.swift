import CrowdspeedCore
import Foundation

/// The reads the dashboard pages make, all from aggregates maintained at ingest (the `machines`
/// row, `result_summaries` from migration 0004, the fitting aggregates): no page scans samples.
///
/// Kept beside ``ResultStore`` rather than inside it so the pages can grow without every store
/// double in the tests having to; ``SQLiteResultStore`` implements both.
public protocol DashboardStore: Sendable {
    /// How much the server holds.
    func dashboardCounts() async throws -> DashboardCounts

    /// The most recently received submissions, newest first.
    func latestSubmissions(limit: Int) async throws -> [LatestSubmission]

    /// One page of the machines table, filtered and sorted in the database.
    func machineTable(_ query: MachineTableQuery) async throws -> [MachineTableRow]

    /// How many machines the table lists under `filter` (nil or empty: all), over all pages.
    /// Separate from the rows because it reads every machine, which the pages that only chart
    /// the most recent ones need not pay for.
    func machineCount(filter: String?) async throws -> Int

    /// The summaries of the results of `benchmarks` measured on `machineIDs`, ordered by machine,
    /// interpreter, benchmark and parameters.
    func resultSummaries(machineIDs: [String], benchmarks: Set<String>) async throws -> [ResultSummary]

    /// Per machine and interpreter, the median time of `benchmarks` at the interpreter's default
    /// setting with one process: the input of the timeline across interpreter versions.
    func interpreterTimings(benchmarks: Set<String>) async throws -> [InterpreterTiming]
}
