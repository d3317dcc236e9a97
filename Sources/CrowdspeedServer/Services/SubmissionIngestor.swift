import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The one ingest path, used by `POST /api/v1/submissions` and by `crowdspeed simulate`:
/// validates a decoded submission, derives its curve aggregates with CrowdspeedFit, and stores
/// both in one transaction.
public struct SubmissionIngestor: Sendable {
    public let store: any ResultStore
    public let limits: SubmissionLimits
    /// Combines a machine's curves at ingest.
    public let summarizer: any CurveSummarizer

    /// Creates the ingestor.
    public init(
        store: any ResultStore, limits: SubmissionLimits, summarizer: any CurveSummarizer = FitCurveSummarizer()
    ) {
        self.store = store
        self.limits = limits
        self.summarizer = summarizer
    }

    /// Validates and stores `submission` with its derived aggregates.
    ///
    /// - Throws: `SubmissionRejection` when a rule of the format is broken (nothing stored), and
    ///   the store's errors (`StoreError.idConflict`).
    public func ingest(_ submission: Submission, receivedAt: Date, credentials: IngestCredentials? = nil) async throws
        -> IngestResult
    {
        try submission.validate(limits: limits, now: receivedAt)
        let aggregates = IngestAggregates(curves: CurveDerivation.curves(of: submission), summarizer: summarizer)
        return try await store.ingest(
            submission, receivedAt: receivedAt, credentials: credentials, aggregates: aggregates)
    }
}
