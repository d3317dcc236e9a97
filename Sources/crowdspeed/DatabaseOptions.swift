import ArgumentParser
import CrowdspeedStore
import Foundation

/// `--db` for the commands that work on the database file directly (admin, backup, restore),
/// with the same default and environment variable as `serve`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("SQLite database file (default $CROWDSPEED_DB or ./crowdspeed.sqlite).", valueName: "path"))
    var databasePath: String?

    /// The path in force: the option, else `CROWDSPEED_DB`, else the default.
    var path: String {
        databasePath ?? ProcessInfo.processInfo.environment["CROWDSPEED_DB"] ?? "./crowdspeed.sqlite"
    }

    /// Opens the store on an existing file (migrating it, as the server would). A missing file
    /// is refused rather than created: moderating an empty new database is always a typo.
    func openStore() throws -> SQLiteResultStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.exit("no database at \(path); pass --db or set CROWDSPEED_DB")
        }
        return try SQLiteResultStore(path: path)
    }
}
