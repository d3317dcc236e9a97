import Foundation

/// One line of the audit log: every quarantine, release and deletion, who did it and when.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    /// `admin-api`, `admin-cli`, or `submitter` (a deletion with the submission's token).
    public var actor: String
    /// `quarantine`, `release` or `delete`.
    public var action: String
    public var targetKind: String
    public var targetID: String
    public var reason: String?

    public init(
        id: Int64, at: Date, actor: String, action: String, targetKind: String, targetID: String, reason: String?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.targetKind = targetKind
        self.targetID = targetID
        self.reason = reason
    }

}
