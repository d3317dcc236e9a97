import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Logging

/// What the product does with data, without HTTP: the one path every write takes, whether it
/// comes from the API, `crowdspeed simulate`, the demo seeder or an admin command.
///
/// - Ingest: validate → derive the curves → store (one transaction; the acknowledgement) →
///   summarize the machine curves the submission changed and refresh the machine's comparison
///   figures, outside the writer → signal the refit.
/// - Deletion and moderation: the store's transaction (which rebuilds the affected curve
///   windows), then their summaries and the affected machines' comparison figures.
public struct Pipeline: Sendable {
    public let stores: StoreCapabilities
    public let limits: SubmissionLimits
    /// Summarizes machine curves after the writes that change them.
    public let summarizer: CurveSummarizer
    /// Refreshes the per-machine figures of the version comparisons after the same writes.
    public let statistics: StatisticsRefresher
    /// Told about every new submission that may make a refit due.
    public let refitSignal: RefitSignal

    /// Creates the pipeline over `stores`.
    public init(
        stores: StoreCapabilities, limits: SubmissionLimits = SubmissionLimits(),
        refitSignal: RefitSignal = RefitSignal(),
        logger: Logger = Logger(label: "crowdspeed.pipeline")
    ) {
        self.stores = stores
        self.limits = limits
        self.summarizer = CurveSummarizer(store: stores.curves, logger: logger)
        self.statistics = StatisticsRefresher(store: stores.comparisons, logger: logger)
        self.refitSignal = refitSignal
    }

    /// Validates and stores `submission`, then summarizes the machine curves it changed and
    /// refreshes its machine's comparison figures for its interpreter.
    ///
    /// Returns after the store's commit, the summaries and the figures: a caller that reads the
    /// machine or the comparisons next sees its own submission there. A summary that fails to store is logged and redone
    /// later (``CurveSummarizer/summarizeStale(machineID:)``); the submission is stored either way.
    ///
    /// - Throws: `SubmissionRejection` when a rule of the format is broken (nothing stored), and
    ///   the store's errors (`StoreError.idConflict`).
    public func ingest(
        _ submission: Submission, receivedAt: Date, credentials: IngestCredentials? = nil
    ) async throws -> IngestResult {
        try submission.validate(limits: limits, now: receivedAt)
        let curves = CurveDerivation.curves(of: submission)
        let result = try await stores.results.ingest(
            submission, receivedAt: receivedAt, credentials: credentials, curves: curves)
        await summarizer.summarize(result.curveWindows)
        if case .created = result.outcome {
            await statistics.refresh(
                machineID: submission.machine.machineID,
                interpreter: InterpreterKey(
                    implementation: submission.interpreter.implementation, version: submission.interpreter.version))
        }
        if case .created = result.outcome, !curves.isEmpty, submission.run?.pypyGCMin == nil {
            refitSignal.notify()
        }
        return result
    }

    /// Deletes a submission with its deletion token digest, then summarizes its machine's curves
    /// and refreshes its comparison figures from what remains.
    public func deleteSubmission(id: UUID, deletionTokenHash: String, at: Date) async throws -> DeletionOutcome {
        let outcome = try await stores.results.deleteSubmission(id: id, deletionTokenHash: deletionTokenHash, at: at)
        if case .deleted(let machineID, let removed) = outcome, !removed {
            try await summarizer.summarizeStale(machineID: machineID)
            try await statistics.refresh(machineID: machineID)
        }
        return outcome
    }

    /// Quarantines or releases a submission, install or machine, then summarizes the machine
    /// curves that now show more or less data and refreshes those machines' comparison figures.
    public func setQuarantine(
        _ target: ModerationTarget, quarantined: Bool, reason: String?, actor: String, at: Date
    ) async throws -> ModerationOutcome {
        let outcome = try await stores.results.setQuarantine(
            target, quarantined: quarantined, reason: reason, actor: actor, at: at)
        if outcome == .changed {
            try await summarizer.summarizeStale()
            for machineID in try await stores.comparisons.machineIDs(of: target) {
                try await statistics.refresh(machineID: machineID)
            }
        }
        return outcome
    }
}
