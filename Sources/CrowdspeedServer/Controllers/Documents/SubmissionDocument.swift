import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/submissions/{id}`: every field of the wire format exactly as
/// submitted, with `machine_id`, `received_at`, `links`, `quarantined` and (when flagged by
/// plausibility screening) `flag` added at the top level. A client can
/// therefore decode it straight back into a `Submission` and compare it with what it sent.
struct SubmissionDocument: Encodable, Sendable {
    var stored: StoredSubmission
    var links: [String: String]

    private enum AddedKeys: String, CodingKey {
        case machineID = "machine_id"
        case receivedAt = "received_at"
        case links, quarantined, flag
    }

    /// Writes the submission's own keys, then the server's, into the same JSON object.
    func encode(to encoder: any Encoder) throws {
        try stored.submission.encode(to: encoder)
        var container = encoder.container(keyedBy: AddedKeys.self)
        try container.encode(stored.machineID, forKey: .machineID)
        try container.encode(stored.receivedAt, forKey: .receivedAt)
        try container.encode(links, forKey: .links)
        // Moderation marks: a quarantined submission is still readable by its link, but says so.
        try container.encode(stored.quarantined, forKey: .quarantined)
        try container.encodeIfPresent(stored.flagReason, forKey: .flag)
    }
}
