import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// The per-machine figures the speed center's paired comparisons read (migration 0010): per
/// machine × interpreter × benchmark key, one ``CrowdspeedFit/MachineStatistic``, kept up to
/// date by the pipeline after the writes that change it, so no request derives them from
/// samples. Quarantined submissions never contribute.
///
/// The pipeline refreshes one (machine, interpreter) at a time: it reads the most recent visible
/// submissions, derives the figures (``CrowdspeedFit/MachineStatistic/statistics(from:sources:includeBestNursery:)``)
/// and replaces the stored ones; a bounded read, whatever the population's size.
public protocol ComparisonStore: Sendable {
    /// The visible (not quarantined) submissions of `machineID` with `interpreter`, most recently
    /// received first, at most `limit`.
    func recentVisibleSubmissions(machineID: String, interpreter: InterpreterKey, limit: Int) async throws
        -> [Submission]

    /// The interpreters `machineID` has visible submissions or stored figures of: what a refresh
    /// of the whole machine covers after a deletion or a moderation.
    func statisticInterpreters(machineID: String) async throws -> [InterpreterKey]

    /// The machines whose submissions a moderation of `target` hides or shows.
    func machineIDs(of target: ModerationTarget) async throws -> [String]

    /// Replaces the figures of `machineID` with `interpreter` by `statistics` (all of that
    /// machine and interpreter; empty removes them) and advances ``comparisonRevision()``, in
    /// one transaction. A machine that no longer exists is left alone.
    func replaceMachineStatistics(
        _ statistics: [MachineStatistic], machineID: String, interpreter: InterpreterKey, at: Date
    ) async throws

    /// A number that grows with every change of the stored figures: the key of cached comparisons.
    func comparisonRevision() async throws -> Int64

    /// Per interpreter with stored figures, when they last changed: the dates of the changes feed.
    func statisticsUpdated() async throws -> [InterpreterKey: Date]

    /// The best nursery of every visible machine's PyPy gcbench curve summary (unpinned
    /// `PYPY_GC_MIN` only): the input of the nursery drift between versions.
    func bestNurseries() async throws -> [CurveBestNursery]

    /// The stored figures of `machineID`, or of every machine when nil, sorted by machine,
    /// interpreter and key.
    func machineStatistics(machineID: String?) async throws -> [MachineStatistic]
}
