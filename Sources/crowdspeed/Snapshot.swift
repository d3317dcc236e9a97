import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed snapshot PATH`: an anonymised SQLite file of the public data, for people who want
/// the whole database in DuckDB, pandas or the `sqlite3` shell.
struct Snapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an anonymised copy of the public data to PATH (no secrets, nothing quarantined).",
        discussion: """
            Copies the database with VACUUM INTO while the server keeps running, then removes quarantined \
            data, install identities and token hashes, the audit log and server bookkeeping, and checks the \
            result with PRAGMA integrity_check. The data is offered under CC0 1.0.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Where to write the snapshot.", valueName: "path"))
    var destination: String

    @Flag(help: "Replace an existing file at PATH.")
    var force = false

    func run() async throws {
        let store = try database.sqliteStore(
            for: "snapshot", instead: "crowdspeed snapshot on a SQLite copy, or the /api/v1/export endpoints")
        let summary: SnapshotSummary
        do {
            summary = try await store.writeSnapshot(to: destination, createdAt: Date(), overwrite: force)
        } catch let error as BackupError {
            throw CommandFailure.exit(error.description)
        }
        print(
            "wrote \(destination): \(summary.machines) machines, \(summary.submissions) submissions, "
                + "\(summary.results) results (integrity check ok)")
    }
}
