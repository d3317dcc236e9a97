import CrowdspeedCore
import Foundation

/// Where one stored submission came from and whether it may be trusted: what the fitting code
/// needs to leave quarantined data out and to cap each install's weight (see ``InstallWeightCap``).
public struct SubmissionProvenance: Sendable, Equatable {
    public var submissionID: UUID
    public var machineID: String
    /// The submitting install, nil for submissions stored without one (imports, or stored before
    /// install tokens existed): ``InstallWeightCap`` treats each such submission as its own install.
    public var installID: String?
    /// The hardware class the cap applies within: architecture × CPU vendor, e.g. `x86_64/AuthenticAMD`.
    public var hardwareClass: String
    public var source: SubmissionSource
    /// True when the submission, its install or its machine is quarantined: leave it out of fits.
    public var quarantined: Bool
    /// Plausibility flag (kept in fits unless an operator quarantines it; shown on pages).
    public var flagReason: String?
    /// The network origin it came from (``IngestCredentials/origin``), nil when unknown: the fit
    /// input carries it as ``CrowdspeedFit/FitCurve/origin`` for the per-origin cap.
    public var origin: String?

    public init(
        submissionID: UUID, machineID: String, installID: String?, hardwareClass: String, source: SubmissionSource,
        quarantined: Bool, flagReason: String?, origin: String? = nil
    ) {
        self.submissionID = submissionID
        self.machineID = machineID
        self.installID = installID
        self.hardwareClass = hardwareClass
        self.source = source
        self.quarantined = quarantined
        self.flagReason = flagReason
        self.origin = origin
    }
}
