import Foundation

/// Why a backup or restore was refused.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file to write exists and overwriting was not asked for.
    case targetExists(String)
    /// The backup to restore does not exist.
    case sourceMissing(String)
    /// `PRAGMA integrity_check` found problems.
    case integrityCheckFailed([String])
    /// The file to write is the database being copied (the live database of a backup, the
    /// backup of a restore), one of its WAL or shared-memory files, or a link to one of them:
    /// replacing it would destroy what is being copied.
    case targetIsSource(String)
    /// The file to write is a database that a connection, in this process or another (a
    /// running server), has open: replacing it would pull the file from under that connection.
    case targetInUse(String)

    public var description: String {
        switch self {
        case .targetExists(let path): "\(path) exists; pass --force to replace it"
        case .sourceMissing(let path): "no backup at \(path)"
        case .integrityCheckFailed(let problems):
            "integrity check failed: \(problems.prefix(5).joined(separator: "; "))"
        case .targetIsSource(let path):
            "\(path) is the database being copied (or a link to it or to its WAL); copy it elsewhere"
        case .targetInUse(let path):
            "\(path) is a database that is open elsewhere (a running server?); stop what uses it or copy elsewhere"
        }
    }
}
