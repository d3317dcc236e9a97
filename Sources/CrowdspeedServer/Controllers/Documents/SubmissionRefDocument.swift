import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// One run in the `submissions` of `GET /api/v1/machines/{id}`, built from the store's
/// ``SubmissionRef``.
public struct SubmissionRefDocument: Codable, Sendable, Equatable {
    public var id: UUID
    public var createdAt: Date
    public var receivedAt: Date
    public var source: SubmissionSource
    public var interpreter: InterpreterInfo
    public var resultCount: Int
    public var sampleCount: Int
    public var quarantined: Bool
    /// Why plausibility screening flagged it; absent when it was not.
    public var flag: String?

    /// The document of one stored run.
    public init(_ ref: SubmissionRef) {
        id = ref.id
        createdAt = ref.createdAt
        receivedAt = ref.receivedAt
        source = ref.source
        interpreter = ref.interpreter
        resultCount = ref.resultCount
        sampleCount = ref.sampleCount
        quarantined = ref.quarantined
        flag = ref.flag
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createdAt = "created_at"
        case receivedAt = "received_at"
        case source, interpreter
        case resultCount = "result_count"
        case sampleCount = "sample_count"
        case quarantined, flag
    }
}
