import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation
import Testing

/// The store backends every contract test runs on: `@Test(arguments: StoreBackend.allCases)`.
public enum StoreBackend: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// Runs `body` with a fresh, migrated SQLite store on a file in a new temporary directory;
/// the store is closed and the directory removed afterwards.
public func withSQLiteStore<R: Sendable>(_ body: (SQLiteResultStore) async throws -> R) async throws -> R {
    try await withSQLiteStore { store, _ in try await body(store) }
}

/// ``withSQLiteStore(_:)`` with the path of the store's file.
func withSQLiteStore<R: Sendable>(_ body: (SQLiteResultStore, String) async throws -> R) async throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("crowdspeed-contract-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("store.sqlite").path
    let store = try SQLiteResultStore(path: path)
    do {
        let result = try await body(store, path)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// Runs `body` with a fresh PostgreSQL store: a new database on the test server
/// (``TestPostgres/withFreshDatabase(_:)``), migrated by `PostgresMigrationRunner`, its client
/// running; the database is dropped afterwards.
///
/// Without a test server (`CROWDSPEED_TEST_POSTGRES_URL` unset) the current test case is skipped
/// (cancelled with ``TestPostgres/skipReason``), unless `CROWDSPEED_TEST_POSTGRES_REQUIRED=1`
/// makes the missing server a failure.
public func withPostgresStore<R: Sendable>(
    maximumConnections: Int = 8, _ body: (PostgresResultStore) async throws -> R
) async throws -> R {
    if !TestPostgres.isAvailable && !TestPostgres.isRequired {
        try Test.cancel(TestPostgres.skipReason)
    }
    return try await TestPostgres.withFreshDatabase { url in
        try await TestPostgres.withClient(url, maximumConnections: maximumConnections) { client in
            _ = try await PostgresMigrationRunner().migrate(client, logger: TestPostgres.logger)
            return try await body(PostgresResultStore(client: client, logger: TestPostgres.logger))
        }
    }
}

/// Runs `body` with a fresh store of `backend` (``withSQLiteStore(_:)``,
/// ``withPostgresStore(maximumConnections:_:)``) and an inspector of its database, for contract
/// tests that run one generic check on every backend.
public func withStore<R: Sendable>(
    _ backend: StoreBackend, _ body: (any ResultStore, any StoreInspector) async throws -> R
) async throws -> R {
    switch backend {
    case .sqlite:
        return try await withSQLiteStore { store, path in try await body(store, try SQLiteInspector(path: path)) }
    case .postgres:
        return try await withPostgresStore { store in try await body(store, PostgresInspector(client: store.client)) }
    }
}
