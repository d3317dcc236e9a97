import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/submissions/{id}`: every field of the wire format exactly as
/// submitted, with `machine_id`, `received_at` and `links` added at the top level. A client can
/// therefore decode it straight back into a `Submission` and compare it with what it sent.
struct SubmissionDocument: Encodable, Sendable {
    var stored: StoredSubmission
    var links: [String: String]

    private enum AddedKeys: String, CodingKey {
        case machineID = "machine_id", receivedAt = "received_at", links
    }

    /// Writes the submission's own keys, then the server's, into the same JSON object.
    func encode(to encoder: any Encoder) throws {
        try stored.submission.encode(to: encoder)
        var container = encoder.container(keyedBy: AddedKeys.self)
        try container.encode(stored.machineID, forKey: .machineID)
        try container.encode(stored.receivedAt, forKey: .receivedAt)
        try container.encode(links, forKey: .links)
    }
}
