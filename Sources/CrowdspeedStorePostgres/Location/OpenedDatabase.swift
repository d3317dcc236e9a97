import CrowdspeedStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// A database opened and migrated, as the server and the commands use it: the store's
/// capabilities, and what must run for them to answer.
public struct OpenedDatabase: Sendable {
    /// Where it is.
    public var location: DatabaseLocation
    /// Every capability of the store.
    public var stores: StoreCapabilities
    /// Services to run in the application's service group before anything is asked of
    /// ``stores``: the PostgreSQL connection pool; none for SQLite.
    public var services: [any Service]
    /// The migrations recorded in the database after opening, oldest first.
    public var migrations: [String]
    /// What writes the public snapshot; nil on PostgreSQL, which publishes none (the exports
    /// hold the same data, and `pg_dump` serves the operator).
    public var snapshots: (any SnapshotStore)?

    /// Opens `location` for a server: applies pending migrations, runs `startUp` on the opened
    /// stores (repairs, demo seeding), then returns the stores the server keeps.
    ///
    /// On SQLite the store opens on the file (created if missing) and `startUp` runs on it. On
    /// PostgreSQL a short-lived client applies the migrations with ``PostgresMigrationRunner`` (N
    /// servers starting together apply each once; a database migrated by a newer build is
    /// refused) and runs `startUp`; the returned stores use a new client that is in
    /// ``services``, so that the server's service group runs it and shuts it down last.
    ///
    /// - Throws: the SQLite store's open errors (`StoreError.unknownMigrations`, …),
    ///   ``PostgresMigrationError``, and whatever `startUp` throws.
    public static func open(
        _ location: DatabaseLocation, sqlite: SQLiteResultStore.Configuration = .init(), logger: Logger,
        startUp: (StoreCapabilities) async throws -> Void = { _ in }
    ) async throws -> OpenedDatabase {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteResultStore(path: path, configuration: sqlite)
            let stores = StoreCapabilities(store)
            try await startUp(stores)
            return OpenedDatabase(
                location: location, stores: stores, services: [], migrations: try store.appliedMigrations(),
                snapshots: store)
        case .postgres(let url):
            let migrations = try await PostgresDatabase.withRunningClient(url, logger: logger) { client in
                try await PostgresMigrationRunner().migrate(client, logger: logger)
                try await startUp(StoreCapabilities(PostgresResultStore(client: client, logger: logger)))
                return try await PostgresMigrationRunner.appliedMigrations(client, logger: logger)
            }
            let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
            let stores = StoreCapabilities(PostgresResultStore(client: client, logger: logger))
            return OpenedDatabase(
                location: location, stores: stores, services: [client], migrations: migrations, snapshots: nil)
        }
    }

    /// Runs `body` on the stores of `location` for a one-shot command, migrating first as a server
    /// would, and closes the database after.
    public static func withStores<Result: Sendable>(
        _ location: DatabaseLocation, logger: Logger, _ body: (StoreCapabilities) async throws -> Result
    ) async throws -> Result {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteResultStore(path: path)
            let result = try await body(StoreCapabilities(store))
            try await store.close()
            return result
        case .postgres(let url):
            return try await PostgresDatabase.withRunningClient(url, logger: logger) { client in
                try await PostgresMigrationRunner().migrate(client, logger: logger)
                return try await body(StoreCapabilities(PostgresResultStore(client: client, logger: logger)))
            }
        }
    }

    /// Applies the pending migrations of `location` and nothing else (`crowdspeed migrate`).
    /// - Returns: the names this call applied (empty when up to date) and every name recorded.
    public static func migrate(_ location: DatabaseLocation, logger: Logger) async throws -> (
        applied: [String], recorded: [String]
    ) {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteResultStore(path: path)
            let recorded = try store.appliedMigrations()
            try await store.close()
            return (store.migrationsAppliedAtOpen, recorded)
        case .postgres(let url):
            return try await PostgresDatabase.withRunningClient(url, logger: logger) { client in
                let applied = try await PostgresMigrationRunner().migrate(client, logger: logger)
                return (applied, try await PostgresMigrationRunner.appliedMigrations(client, logger: logger))
            }
        }
    }
}
