import CrowdspeedCore
import CrowdspeedStore
import Foundation

extension Pipeline {
    /// The bounds verifications are held to: their own, with the pipeline's submission limits
    /// for the sizes, process counts, strings and clock skew they share.
    public var verificationLimits: VerificationLimits {
        var limits = VerificationLimits()
        limits.submission = self.limits
        return limits
    }

    /// Validates and stores a verification result.
    ///
    /// - Throws: `SubmissionRejection` when a rule of the format is broken (nothing stored), and
    ///   the store's errors (`StoreError.idConflict`).
    public func ingest(
        _ verification: Verification, receivedAt: Date, installTokenHash: String?, origin: String?
    ) async throws -> VerificationOutcome {
        try verification.validate(limits: verificationLimits, now: receivedAt)
        return try await stores.verifications.storeVerification(
            verification, receivedAt: receivedAt, installTokenHash: installTokenHash, origin: origin)
    }
}
