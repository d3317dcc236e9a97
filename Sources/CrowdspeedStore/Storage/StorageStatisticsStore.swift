import Foundation

/// How much room the database takes, for the operator's metrics. A backend reports what it has:
/// SQLite its main file and write-ahead log; a server database its relation sizes.
public protocol StorageStatisticsStore: Sendable {
    /// The database's size in bytes now, per part (for SQLite `main` and `wal`), read on every
    /// call so a scrape sees the current figure.
    func storageBytes() async throws -> [String: Int64]
}
