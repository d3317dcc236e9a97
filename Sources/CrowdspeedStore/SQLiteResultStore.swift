import CrowdspeedCore
import Foundation
import GRDB
import Logging

/// The SQLite implementation of ``ResultStore``: one GRDB `DatabasePool` over one file, in WAL
/// mode with foreign keys on, migrated at open.
///
/// Reads run concurrently on the pool's readers; writes are serialized on its writer. Ingests
/// are group-committed (``IngestBatcher``): concurrent submissions share one transaction, each in
/// its own savepoint, so one fsync covers a batch. The schema lives in `Migrations/sql/`.
public final class SQLiteResultStore: ResultStore {
    /// The database; a `DatabasePool` for files, a `DatabaseQueue` for ``inMemory(configuration:)``.
    let writer: any DatabaseWriter
    let logger: Logger
    /// The single writer of ingests: batches concurrent ones into one transaction.
    let batcher: IngestBatcher

    /// Opens (creating if needed) the database file at `path` and applies pending migrations.
    ///
    /// - Throws: ``StoreError/unknownMigrations(_:)`` when the file was migrated by a newer build,
    ///   ``MigrationError`` for bad or edited migration files, and GRDB's `DatabaseError` when the
    ///   file cannot be opened.
    public convenience init(path: String, configuration: Configuration = Configuration()) throws {
        let pool = try DatabasePool(path: path, configuration: configuration.grdbConfiguration())
        // DatabasePool sets `synchronous = NORMAL` itself when it enables WAL, after any
        // `prepareDatabase` hook, so the durable setting is applied here, on the writer (the
        // only connection that commits).
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(configuration.durability.pragmaValue)")
        }
        try self.init(writer: pool, configuration: configuration)
    }

    /// A store on a private in-memory database, for tests that need neither a file nor WAL.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> SQLiteResultStore {
        try SQLiteResultStore(
            writer: DatabaseQueue(configuration: configuration.grdbConfiguration()), configuration: configuration)
    }

    /// Wraps an opened database and migrates it.
    init(writer: any DatabaseWriter, configuration: Configuration) throws {
        self.writer = writer
        self.logger = configuration.logger
        self.batcher = IngestBatcher(writer: writer)
        let runner =
            try configuration.migrationsDirectory.map { try MigrationRunner(directory: $0) } ?? MigrationRunner()
        let applied = try runner.migrate(writer)
        // Results stored before the dashboard's summaries existed are summarized once, when
        // their migration is applied; every later ingest writes its own. (Looking for missing
        // ones at every open read every results row: 5 s at startup with 100k submissions.)
        if applied.contains(Self.resultSummariesMigration) {
            try Self.fillMissingResultSummaries(writer)
        }
        // Likewise the machine keys' curve windows, from the curves stored before them.
        if applied.contains(Self.curveWindowsMigration) {
            try Self.fillCurveWindows(writer)
        }
        if applied.contains(Self.dashboardCountersMigration) {
            try writer.write { db in try Self.recountDashboard(db) }
        }
        if !applied.isEmpty {
            logger.debug("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"])
        }
    }

    /// The `PRAGMA synchronous` value in force on the writer connection (`1` NORMAL, `2` FULL),
    /// for tests and diagnostics.
    public func synchronousSetting() async throws -> Int {
        try await writer.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The migration names recorded in the database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try MigrationRunner.appliedMigrations(writer)
    }
}
