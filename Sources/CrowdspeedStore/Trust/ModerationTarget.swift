import Foundation

/// What an operator can quarantine or release. Quarantine hides data from the machines list and
/// the fits without deleting it; release undoes it. Both are recorded in the audit log.
public enum ModerationTarget: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// One submission, by id.
    case submission(UUID)
    /// Everything an install submitted, past and future (`i-` + 16 hex digits).
    case install(String)
    /// A machine and all its submissions (`m-` + 16 hex digits).
    case machine(String)

    /// `submission`, `install` or `machine`, as stored in `audit_log.target_kind`.
    public var kind: String {
        switch self {
        case .submission: "submission"
        case .install: "install"
        case .machine: "machine"
        }
    }

    /// The table whose row holds the target's quarantine flag, the same on every backend.
    public var table: String {
        switch self {
        case .submission: "submissions"
        case .install: "installs"
        case .machine: "machines"
        }
    }

    /// The target's id as text.
    public var id: String {
        switch self {
        case .submission(let id): id.uuidString.lowercased()
        case .install(let id), .machine(let id): id
        }
    }

    /// Parses a kind and an id as given to the admin API or CLI; nil when the id does not have
    /// the kind's shape.
    public init?(kind: String, id: String) {
        switch kind {
        case "submission":
            guard let uuid = UUID(uuidString: id) else { return nil }
            self = .submission(uuid)
        case "install":
            guard Self.isHexID(id, prefix: "i-") else { return nil }
            self = .install(id)
        case "machine":
            guard Self.isHexID(id, prefix: "m-") else { return nil }
            self = .machine(id)
        default:
            return nil
        }
    }

    public var description: String { "\(kind) \(id)" }

    /// `prefix` followed by exactly 16 lowercase hex digits.
    static func isHexID(_ id: String, prefix: String) -> Bool {
        guard id.hasPrefix(prefix) else { return false }
        let digits = id.utf8.dropFirst(prefix.utf8.count)
        return digits.count == 16 && digits.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
