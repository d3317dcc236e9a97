import Foundation

/// The secrets that travel with one ingest, already hashed by the server (the store never sees a
/// token in the clear).
public struct IngestCredentials: Sendable, Equatable {
    /// Digest of the `X-Crowdspeed-Install` token the client presented, nil when it sent none
    /// (or one that is not well formed).
    public var presentedInstallHash: String?
    /// Digest of a freshly generated install token, used when the presented one is absent or
    /// unknown: the store then creates the install and the server hands the token out.
    public var newInstallHash: String
    /// Digest of the freshly generated deletion token for this submission.
    public var deletionHash: String
    /// The network origin of the request: ``NetworkOriginKey/origin(ofBlock:)`` of the submitting
    /// address's /24 or /48, never the address itself; nil when the address is unknown. Stored
    /// with the submission for the fit's origin cap and never exported.
    public var origin: String?

    /// Creates the credentials of one request.
    public init(presentedInstallHash: String?, newInstallHash: String, deletionHash: String, origin: String? = nil) {
        self.presentedInstallHash = presentedInstallHash
        self.newInstallHash = newInstallHash
        self.deletionHash = deletionHash
        self.origin = origin
    }
}
