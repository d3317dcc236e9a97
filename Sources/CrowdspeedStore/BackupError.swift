import Foundation

/// Why a backup or restore was refused.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file to write exists and overwriting was not asked for.
    case targetExists(String)
    /// The backup to restore does not exist.
    case sourceMissing(String)
    /// `PRAGMA integrity_check` found problems.
    case integrityCheckFailed([String])

    public var description: String {
        switch self {
        case .targetExists(let path): "\(path) exists; pass --force to replace it"
        case .sourceMissing(let path): "no backup at \(path)"
        case .integrityCheckFailed(let problems):
            "integrity check failed: \(problems.prefix(5).joined(separator: "; "))"
        }
    }
}
