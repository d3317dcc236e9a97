import Foundation

/// What a deletion request came to. Free of HTTP: the server maps it to 204, 404 or 403.
public enum DeletionOutcome: Sendable, Equatable {
    /// The submission and its samples are gone; the machine's aggregates were corrected (and the
    /// machine removed when it had no other submission).
    case deleted(machineID: String, machineRemoved: Bool)
    /// No submission has this id.
    case notFound
    /// The token does not match (or the submission predates deletion tokens).
    case forbidden
}
