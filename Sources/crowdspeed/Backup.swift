import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed backup PATH`: an online, consistent copy of the database while the server runs.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Copy the database to PATH while the server keeps running (SQLite online backup), then verify the copy.")

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("Where to write the backup.", valueName: "path"))
    var destination: String

    @Flag(help: "Replace an existing file at PATH.")
    var force = false

    func run() async throws {
        let store = try database.sqliteStore(for: "backup", instead: "pg_dump (see the README)")
        do {
            try await store.backup(to: destination, overwrite: force)
        } catch let error as BackupError {
            throw CommandFailure.exit(error.description)
        }
        print("backed up \(try database.location()) to \(destination) (integrity check ok)")
    }
}
