import CrowdspeedStore
import Foundation

/// One entry of `GET /api/v1/admin/audit`, built from the store's ``AuditEntry``.
public struct AuditEntryDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: String
    public var targetKind: String
    public var targetID: String
    public var reason: String?

    /// The document of one stored entry.
    public init(_ entry: AuditEntry) {
        id = entry.id
        at = entry.at
        actor = entry.actor
        action = entry.action
        targetKind = entry.targetKind
        targetID = entry.targetID
        reason = entry.reason
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action
        case targetKind = "target_kind"
        case targetID = "target_id"
        case reason
    }
}
