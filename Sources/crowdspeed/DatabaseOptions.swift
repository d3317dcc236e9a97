import ArgumentParser
import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation
import Logging

/// `--db PATH` and `--database-url URL`: which database a command works on, the same for every
/// command that opens one (`serve`, `refit`, `migrate`, `admin …`, `backup`, `restore`,
/// `snapshot`), with the same environment variables and precedence (``DatabaseLocation``).
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("SQLite database file (default $CROWDSPEED_DB or ./crowdspeed.sqlite).", valueName: "path"))
    var databasePath: String?

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "The database as a URL instead of --db: sqlite:PATH or postgres://user[:password]@host[:port]/database[?sslmode=…] (env CROWDSPEED_DATABASE_URL).",
            valueName: "url"))
    var databaseURL: String?

    /// Two sources naming a database, or an unusable URL, are usage errors.
    func validate() throws {
        _ = try location()
    }

    /// The location in force: the options, else the environment, else ./crowdspeed.sqlite.
    func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation.resolve(
                databaseURL: databaseURL, databasePath: databasePath, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Runs `body` on the stores of an existing database (migrating it, as the server would). A
    /// missing SQLite file is refused rather than created: moderating or fitting an empty new
    /// database is always a typo.
    func withStores<Result: Sendable>(_ body: (StoreCapabilities) async throws -> Result) async throws -> Result {
        let location = try location()
        if let path = location.sqlitePath, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure.exit("no database at \(path); pass --db or --database-url, or set CROWDSPEED_DB")
        }
        do {
            return try await OpenedDatabase.withStores(location, logger: Self.logger, body)
        } catch let error as PostgresMigrationError {
            throw CommandFailure.exit(error.description)
        }
    }

    /// The SQLite file of a command that only works on one (file copies: backup, restore,
    /// snapshot); a PostgreSQL location is refused with what to use instead.
    func sqlitePath(for command: String, instead: String) throws -> String {
        guard let path = try location().sqlitePath else {
            throw CommandFailure.exit("crowdspeed \(command) works on a SQLite file only; on PostgreSQL use \(instead)")
        }
        return path
    }

    /// Opens the SQLite store of a SQLite-only command on an existing file.
    func sqliteStore(for command: String, instead: String) throws -> SQLiteResultStore {
        let path = try sqlitePath(for: command, instead: instead)
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure.exit("no database at \(path); pass --db or set CROWDSPEED_DB")
        }
        return try SQLiteResultStore(path: path)
    }

    /// The commands' log: warnings and worse (PostgreSQL connection trouble), on stderr.
    static let logger: Logger = {
        var logger = Logger(label: "crowdspeed.cli")
        logger.logLevel = .warning
        return logger
    }()
}
