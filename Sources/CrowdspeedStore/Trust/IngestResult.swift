import Foundation

/// What ``ResultStore/ingest(_:receivedAt:credentials:)`` did, with what the server must tell
/// the client about its tokens.
public struct IngestResult: Sendable, Equatable {
    /// Created or duplicate, and the machine.
    public var outcome: IngestOutcome
    /// The install the submission belongs to; nil for submissions stored without credentials.
    public var installID: String?
    /// True when the store created the install from ``IngestCredentials/newInstallHash``: the
    /// server must then return the new install token.
    public var installIssued: Bool
    /// True when ``IngestCredentials/deletionHash`` is now the submission's deletion digest:
    /// always for a new submission; for a duplicate only when the same install repeats it (the
    /// earlier token, lost with the first response, stops working).
    public var deletionIssued: Bool
    /// Why plausibility screening flagged the submission (see `OutlierScreen`), nil when not.
    public var flagReason: String?
    /// The machine-curve windows the submission's curves extended (empty for a duplicate), whose
    /// summaries are now behind: the caller summarizes them after the commit.
    public var curveWindows: [CurveWindow]

    /// Creates a result.
    public init(
        outcome: IngestOutcome, installID: String? = nil, installIssued: Bool = false, deletionIssued: Bool = false,
        flagReason: String? = nil, curveWindows: [CurveWindow] = []
    ) {
        self.curveWindows = curveWindows
        self.outcome = outcome
        self.installID = installID
        self.installIssued = installIssued
        self.deletionIssued = deletionIssued
        self.flagReason = flagReason
    }
}
