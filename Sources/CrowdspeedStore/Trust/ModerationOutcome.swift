import Foundation

/// What a quarantine or release did.
public enum ModerationOutcome: Sendable, Equatable {
    /// The target's state changed (and the action was audited).
    case changed
    /// The target was already in the requested state (the request is still audited).
    case unchanged
    /// No such submission, install or machine.
    case notFound
}
