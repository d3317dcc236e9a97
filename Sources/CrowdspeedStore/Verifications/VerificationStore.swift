import CrowdspeedCore
import Foundation

/// Verification results of `crowdspeed-agent verify` (migration 0014): stored once per
/// agent-chosen id, each attached to a machine the server knows and deleted with it.
///
/// Reads leave out what the trust model hides for submissions: verifications from quarantined
/// installs, and those of machines the machine list hides (quarantined, or without a visible
/// submission).
public protocol VerificationStore: Sendable {
    /// Stores a verification that passed ``CrowdspeedCore/Verification/validate(limits:now:)`` in
    /// one transaction.
    ///
    /// - Parameters:
    ///   - installTokenHash: the SHA-256 of the request's install token; the verification is
    ///     attached to that install when the server issued it (an unknown token attaches none:
    ///     verifications never create installs, submissions do).
    ///   - origin: the request's network origin (a keyed hash of its address block).
    /// - Returns: `.created`, `.duplicate` (the same id with the same content was stored; nothing
    ///   is written) or `.unknownMachine` (no submission ever came from that machine, or its
    ///   data was deleted; nothing is written).
    /// - Throws: ``StoreError/idConflict(_:)`` when the id is stored with different content.
    func storeVerification(
        _ verification: Verification, receivedAt: Date, installTokenHash: String?, origin: String?
    ) async throws -> VerificationOutcome

    /// The visible verifications matching `query`, most recently received first.
    func verifications(_ query: VerificationQuery) async throws -> [StoredVerification]

    /// The figures of the `limit` most recent visible verifications of formulas' sizes
    /// (`formula` sources), most recently received first: what the formulas page summarizes,
    /// read from columns (no document is decoded).
    func formulaVerificationGains(limit: Int) async throws -> [VerifiedGain]
}

/// The figures of one verification of a formula's size that ``RealizedGains`` summarizes.
public struct VerifiedGain: Sendable, Equatable {
    public var formulaVersion: Int
    public var machineID: String
    public var gain: Double
    public var gainLower: Double?
    public var predictedGain: Double?

    public init(formulaVersion: Int, machineID: String, gain: Double, gainLower: Double?, predictedGain: Double?) {
        self.formulaVersion = formulaVersion
        self.machineID = machineID
        self.gain = gain
        self.gainLower = gainLower
        self.predictedGain = predictedGain
    }

    /// The figures of `verification`; nil unless its size is a formula's.
    public init?(_ verification: Verification) {
        guard verification.sizeSource.kind == .formula, let version = verification.sizeSource.formulaVersion else {
            return nil
        }
        self.init(
            formulaVersion: version, machineID: verification.machineID, gain: verification.gain,
            gainLower: verification.gainLower, predictedGain: verification.sizeSource.predictedGain)
    }
}

/// What ``VerificationStore/storeVerification(_:receivedAt:installTokenHash:origin:)`` did.
public enum VerificationOutcome: Sendable, Equatable {
    case created
    case duplicate
    case unknownMachine
}

/// Which verifications to read.
public struct VerificationQuery: Sendable, Equatable {
    /// Only those whose size's source names this formula version.
    public var formulaVersion: Int?
    /// Only this machine's.
    public var machineID: String?
    /// Only sizes from this source.
    public var sizeSource: Verification.SizeSource.Kind?
    /// At most this many (clamped to 0…10 000).
    public var limit: Int

    /// Creates the query.
    public init(
        formulaVersion: Int? = nil, machineID: String? = nil, sizeSource: Verification.SizeSource.Kind? = nil,
        limit: Int = 1_000
    ) {
        self.formulaVersion = formulaVersion
        self.machineID = machineID
        self.sizeSource = sizeSource
        self.limit = limit
    }

    /// The limit every backend applies.
    public var clampedLimit: Int { min(max(0, limit), 10_000) }
}

/// A stored verification with the server's receipt time.
public struct StoredVerification: Sendable, Equatable {
    public var verification: Verification
    public var receivedAt: Date

    public init(verification: Verification, receivedAt: Date) {
        self.verification = verification
        self.receivedAt = receivedAt
    }
}

extension Verification {
    /// The canonical encoding every backend stores in `document_json` and compares a retry with:
    /// equal values give equal text, whatever the key order or spacing on the wire.
    public func canonicalJSON() throws -> String {
        String(decoding: try WireCoding.makeEncoder().encode(self), as: UTF8.self)
    }

    /// A stored `document_json` decoded.
    public static func fromCanonicalJSON(_ text: String) throws -> Verification {
        try WireCoding.makeDecoder().decode(Verification.self, from: Data(text.utf8))
    }
}
