import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed restore PATH`: replaces the database with a verified backup.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with the backup at PATH, after checking the backup's integrity.",
        discussion: """
            The backup is checked with PRAGMA integrity_check and must come from this build or an older one. \
            It is copied in with SQLite's backup API, under SQLite's locks, so a half-restored file never exists. \
            An existing database is replaced only with --force, and never while a running server has it open \
            (it would go on serving what it had cached over the restored data): stop the server first.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The backup to restore.", valueName: "path"))
    var source: String

    @Flag(help: "Replace an existing database.")
    var force = false

    func run() async throws {
        let path = try database.sqlitePath(for: "restore", instead: "pg_restore (see the README)")
        do {
            try SQLiteResultStore.restore(from: source, to: path, overwrite: force)
        } catch let error as BackupError {
            throw CommandFailure.exit(error.description)
        } catch let error as StoreError {
            throw CommandFailure.exit("the backup cannot be restored by this build: \(error)")
        }
        // Opening the store applies migrations the backup predates.
        _ = try SQLiteResultStore(path: path)
        print("restored \(path) from \(source) (integrity check ok)")
    }
}
