import CrowdspeedCore
import Foundation

/// The fingerprint that tells a harmless retry of a submission from a different submission that
/// reuses its id.
///
/// It hashes the canonical wire encoding (`WireCoding.makeEncoder()`, sorted keys), so two
/// submissions get the same fingerprint exactly when they encode to the same bytes. 64-bit FNV-1a
/// plus the byte length is plenty to detect an accidental id reuse; it is not meant to resist an
/// adversary (who could only spoil their own id). Core has the same hash internally; this local
/// copy keeps Store from depending on Core's internals.
enum ContentHash {
    /// `fnv1a64:<16 hex digits>:<byte length>` of the submission's canonical encoding.
    static func of(_ submission: Submission) throws -> String {
        let data = try WireCoding.makeEncoder().encode(submission)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex + ":\(data.count)"
    }
}
