import CrowdspeedCore
import CrowdspeedStore
import Logging
import PostgresNIO

/// The PostgreSQL implementation of the store's capabilities (``StoreCapabilities``): the same
/// behaviour as `SQLiteResultStore`, on a `PostgresClient` pool that any number of stateless
/// server instances share.
///
/// The client's connection pool runs as a service (``client``'s `run()`), started by whoever
/// opens the store: the server adds it to its service group, commands and tests run it in a task.
/// Each capability lives in its own extension file (`PostgresResultStore+Ingest.swift`, …).
public final class PostgresResultStore: ResultStore {
    /// The connection pool; must be running (`client.run()`) for any query to complete.
    public let client: PostgresClient
    let logger: Logger

    /// Wraps a client whose database is already migrated (``PostgresMigrationRunner``).
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }
}
