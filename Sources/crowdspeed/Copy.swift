import ArgumentParser
import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation

/// `crowdspeed copy --from sqlite:PATH --to postgres://…`: moves an embedded database up to
/// PostgreSQL (``SQLiteToPostgresCopier``).
struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a SQLite database into a new, empty PostgreSQL database, verified by row counts.",
        discussion: """
            Both databases are migrated by this build first. The copy is one PostgreSQL transaction: it is \
            committed only when every table's row count matches the source's, so a failed copy leaves the \
            target empty. Stop the servers writing to the SQLite file first: what they write after the copy \
            began is not copied.
            """)

    @Option(help: ArgumentHelp("The SQLite database to copy: sqlite:PATH.", valueName: "url"))
    var from: String

    @Option(help: ArgumentHelp("The PostgreSQL database to fill: postgres://user@host/database.", valueName: "url"))
    var to: String

    @Option(help: "Rows read and inserted at a time.")
    var batchSize = 500

    func validate() throws {
        _ = try locations()
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be within 1…10000") }
    }

    /// The source path and the target URL, or a usage error.
    private func locations() throws -> (source: String, target: PostgresURL) {
        let source: DatabaseLocation
        let target: DatabaseLocation
        do {
            source = try DatabaseLocation(url: from)
            target = try DatabaseLocation(url: to)
        } catch {
            throw ValidationError(error.description)
        }
        guard case .sqlite(let path) = source else { throw ValidationError("--from must be sqlite:PATH") }
        guard case .postgres(let url) = target else { throw ValidationError("--to must be a postgres:// URL") }
        return (path, url)
    }

    func run() async throws {
        let (path, url) = try locations()
        guard FileManager.default.fileExists(atPath: path) else { throw CommandFailure.exit("no database at \(path)") }
        let logger = DatabaseOptions.logger
        do {
            // Opening the source with this build applies its pending migrations, as a server would.
            try await SQLiteResultStore(path: path).close()
            let counts = try await PostgresDatabase.withRunningClient(url, logger: logger) { client in
                try await PostgresMigrationRunner().migrate(client, logger: logger)
                return try await SQLiteToPostgresCopier(batchSize: batchSize, logger: logger).copy(
                    sqliteAt: path, to: client)
            }
            for count in counts { print("\(count.table)\t\(count.rows)") }
            print("copied \(counts.map(\.rows).reduce(0, +)) rows in \(counts.count) tables from \(path) to \(url)")
        } catch let error as CopyError {
            throw CommandFailure.exit(error.description)
        } catch let error as PostgresMigrationError {
            throw CommandFailure.exit(error.description)
        }
    }
}
