import Foundation

/// Writes the public snapshot: an anonymised SQLite file of the public data (`crowdspeed
/// snapshot`, and the server's scheduled one at `/data/crowdspeed-snapshot.sqlite`).
///
/// Only the embedded backend writes one today (it copies itself through SQLite); a backend
/// without it publishes no snapshot and says so on the Data page.
public protocol SnapshotStore: Sendable {
    /// Writes the snapshot to a new file at `path` (see `SQLiteResultStore.writeSnapshot`).
    func writeSnapshot(to path: String, createdAt: Date, overwrite: Bool) async throws -> SnapshotSummary
}

/// What a public snapshot holds.
public struct SnapshotSummary: Sendable, Equatable, Codable {
    public var machines: Int
    public var submissions: Int
    public var results: Int

    public init(machines: Int, submissions: Int, results: Int) {
        self.machines = machines
        self.submissions = submissions
        self.results = results
    }
}

extension SQLiteResultStore: SnapshotStore {}
