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
    /// Moves committed WAL pages into the database file off the writer (file databases only).
    let checkpointer: WALCheckpointer?
    /// The migrations this store applied when it opened (empty when the file was up to date), for
    /// `crowdspeed migrate` to report.
    public let migrationsAppliedAtOpen: [String]

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
            // Checkpoints after ingests are the checkpointer's, outside the writer's commits;
            // the writer's own automatic one stays as a backstop for a WAL grown by other
            // writes (summaries, formulas, moderation), at ten times SQLite's threshold.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
        }
        try self.init(
            writer: pool, configuration: configuration,
            checkpointer: WALCheckpointer(path: path, configuration: configuration))
    }

    /// A store on a private in-memory database, for tests that need neither a file nor WAL.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> SQLiteResultStore {
        try SQLiteResultStore(
            writer: DatabaseQueue(configuration: configuration.grdbConfiguration()), configuration: configuration)
    }

    /// Wraps an opened database and migrates it; `checkpointer` (file databases) is told of
    /// every ingest commit.
    init(writer: any DatabaseWriter, configuration: Configuration, checkpointer: WALCheckpointer? = nil) throws {
        self.writer = writer
        self.logger = configuration.logger
        self.checkpointer = checkpointer
        let observer = configuration.batchObserver
        self.batcher = IngestBatcher(writer: writer) { report in
            checkpointer?.committed()
            observer?(report)
        }
        let runner =
            try configuration.migrationsDirectory.map { try MigrationRunner(directory: $0) } ?? MigrationRunner()
        let applied = try runner.migrate(writer)
        self.migrationsAppliedAtOpen = applied
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
        // And the per-machine figures of the version comparisons, from the stored submissions.
        if applied.contains(Self.machineStatisticsMigration) {
            try Self.fillMachineStatistics(writer)
        }
        if !applied.isEmpty {
            logger.debug("applied migrations", metadata: ["migrations": "\(applied.joined(separator: ","))"])
        }
    }

    /// Closes the store: waits for the work it started itself (the ingest batcher's drain task
    /// and the batches it still holds, so every ingest already accepted is committed and
    /// answered), then closes every connection.
    ///
    /// Releasing the last reference is not enough when something must happen to the file next
    /// (a copy, a rename, a check from another connection): the drain task keeps the connections
    /// open for a moment after the last ingest returned, and it may still be writing. After this
    /// returns no connection of this store is open and, unless a read held the checkpoint back,
    /// the database file holds every commit without its WAL; any later use of the store throws GRDB's
    /// `SQLITE_MISUSE` error, and an ingest is refused the same way.
    ///
    /// - Throws: GRDB's `DatabaseError` (`SQLITE_BUSY`) when a connection cannot be closed
    ///   because a read is still running; the store then stays open.
    public func close() async throws {
        await batcher.close()
        try await checkpointer?.close()
        // Everything committed is copied into the database file and the WAL emptied, so the
        // file is whole on its own even if the last connection to close is a read-only reader
        // (which cannot checkpoint). Best effort: a read still running can hold it back, and
        // the next open recovers whatever the WAL still holds.
        _ = try? await writer.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        try writer.close()
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
