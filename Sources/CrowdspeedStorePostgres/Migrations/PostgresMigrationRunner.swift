import CrowdspeedMigrations
import Foundation
import Logging
import PostgresNIO

/// Applies the numbered PostgreSQL migrations (`Migrations/postgres/NNNN_name.sql`) and refuses
/// to run on a database that a newer build has migrated further: the PostgreSQL counterpart of
/// CrowdspeedStore's `MigrationRunner`, with the same `schema_migrations` table and checksums.
///
/// Several servers may start together against one database, so the runner serializes on a row
/// lock: every migration runs in its own transaction that first locks the single row of
/// `schema_migrations_lock` (`SELECT … FOR UPDATE`), then re-reads `schema_migrations`, and only
/// applies and records the migration when no other runner did meanwhile. A row lock rather than
/// `pg_advisory_xact_lock` because the Postgres-wire distributed databases the schema stays
/// within do not all implement advisory locks; nothing here depends on LISTEN/NOTIFY either.
/// Each statement of a file is sent as its own query (see ``SQLScript``), inside the migration's
/// transaction, so a failing migration leaves no trace.
public struct PostgresMigrationRunner: Sendable {
    /// One migration file, split into the statements the runner sends one by one.
    public struct Migration: Sendable, Equatable {
        /// The file name without `.sql`, e.g. `0001_initial`: what `schema_migrations` records.
        public var name: String
        /// The file's checksum, as ``MigrationFile/checksum``.
        public var checksum: String
        public var statements: [String]

        /// - Throws: ``PostgresMigrationError/unsupportedSQL(migration:reason:)`` when the file
        ///   holds SQL the statement splitter refuses.
        public init(_ file: MigrationFile) throws {
            name = file.name
            checksum = file.checksum
            do {
                statements = try SQLScript.statements(file.sql)
            } catch {
                let reason: String
                switch error {
                case .unsupported(let what): reason = "unsupported: \(what)"
                case .unterminated(let what): reason = "unterminated \(what)"
                }
                throw PostgresMigrationError.unsupportedSQL(migration: file.name, reason: reason)
            }
        }
    }

    /// The migrations this runner knows, in the order they apply.
    public let migrations: [Migration]

    /// A runner over the given files, applied in name order.
    public init(files: [MigrationFile]) throws {
        migrations = try files.sorted { $0.name < $1.name }.map(Migration.init)
    }

    /// A runner over the `.sql` files of `directory` (the bundled PostgreSQL ones by default).
    /// - Throws: `MigrationFileError.badFileName` for a misnamed file, and
    ///   ``PostgresMigrationError/unsupportedSQL(migration:reason:)``.
    public init(directory: URL = BundledMigrations.postgresDirectory) throws {
        try self.init(files: try MigrationFile.load(from: directory))
    }

    /// Applies every migration not yet recorded, each in its own transaction.
    ///
    /// - Parameters:
    ///   - client: a running client (its `run()` must be active).
    ///   - now: the time recorded as `applied_at` (injected for tests).
    /// - Returns: the names applied by this call; empty when the database was up to date or another
    ///   runner applied them first.
    /// - Throws: ``PostgresMigrationError/unknownMigrations(_:)`` when the database records
    ///   migrations this build does not have (a newer server migrated it; running on would risk its
    ///   data), ``PostgresMigrationError/checksumMismatch(_:)`` when a recorded migration's file was
    ///   edited, ``PostgresMigrationError/statementFailed(migration:statement:sqlState:message:)``
    ///   when the server rejects a statement (the migration is then rolled back).
    @discardableResult
    public func migrate(_ client: PostgresClient, now: Date = Date(), logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            try await Self.createBookkeeping(on: connection, logger: logger)
            try checkRecorded(try await Self.recorded(on: connection, logger: logger))
            var applied: [String] = []
            for migration in migrations {
                if try await apply(migration, on: connection, now: now, logger: logger) {
                    applied.append(migration.name)
                }
            }
            return applied
        }
    }

    /// The names recorded in `schema_migrations`, in order; empty on a database never migrated.
    public static func appliedMigrations(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            let exists = try await connection.query(
                """
                SELECT count(*) FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_name = 'schema_migrations'
                """, logger: logger
            )
            .collect().first?.decode(Int64.self)
            guard exists == 1 else { return [] }
            return try await recorded(on: connection, logger: logger).map(\.name)
        }
    }

    /// Applies `migration` unless it is recorded, in one transaction serialized with other runners.
    /// - Returns: whether this call applied it.
    private func apply(_ migration: Migration, on connection: PostgresConnection, now: Date, logger: Logger)
        async throws -> Bool
    {
        do {
            return try await connection.withTransaction(logger: logger) { connection in
                // Waits here while another runner holds the lock, i.e. until its migration committed.
                try await connection.query(
                    "SELECT id FROM schema_migrations_lock WHERE id = 1 FOR UPDATE", logger: logger)
                // Re-read under the lock (read committed: this statement sees what the other runner
                // committed while this one waited).
                let recorded = try await Self.recorded(on: connection, logger: logger)
                try checkRecorded(recorded)
                guard !recorded.contains(where: { $0.name == migration.name }) else { return false }
                for (index, statement) in migration.statements.enumerated() {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch let error as PSQLError {
                        throw PostgresMigrationError.statementFailed(
                            migration: migration.name, statement: index + 1,
                            sqlState: error.serverInfo?[.sqlState] ?? "", message: Self.message(error))
                    }
                }
                let appliedAt = Self.milliseconds(now)
                try await connection.query(
                    """
                    INSERT INTO schema_migrations (name, applied_at, checksum)
                    VALUES (\(migration.name), \(appliedAt), \(migration.checksum))
                    """, logger: logger)
                logger.debug("applied migration", metadata: ["migration": "\(migration.name)"])
                return true
            }
        } catch let error as PostgresTransactionError {
            // Report what went wrong inside, not the wrapper: callers match on the runner's errors.
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Creates the lock row and `schema_migrations` when missing.
    ///
    /// Runners starting together may all find the tables missing; PostgreSQL then lets one
    /// `CREATE TABLE IF NOT EXISTS` win and fails the others with a unique or duplicate-object
    /// violation once the winner commits. Retrying finds the table made, so those errors are
    /// retried (a few times, then passed on).
    private static func createBookkeeping(on connection: PostgresConnection, logger: Logger) async throws {
        let statements: [PostgresQuery] = [
            "CREATE TABLE IF NOT EXISTS schema_migrations_lock (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1))",
            "INSERT INTO schema_migrations_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name       TEXT   NOT NULL PRIMARY KEY,
                applied_at BIGINT NOT NULL,
                checksum   TEXT   NOT NULL
            )
            """,
        ]
        for statement in statements {
            var attempt = 1
            while true {
                do {
                    try await connection.query(statement, logger: logger)
                    break
                } catch let error as PSQLError where attempt < 5 && isCreationRace(error) {
                    logger.debug(
                        "migration bookkeeping raced another runner; retrying",
                        metadata: ["sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
                    attempt += 1
                }
            }
        }
    }

    /// unique_violation (on the catalog), duplicate_table, duplicate_object.
    private static func isCreationRace(_ error: PSQLError) -> Bool {
        ["23505", "42P07", "42710"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// Name and checksum of every recorded migration, by name.
    private static func recorded(on connection: PostgresConnection, logger: Logger) async throws
        -> [(name: String, checksum: String)]
    {
        var recorded: [(name: String, checksum: String)] = []
        let rows = try await connection.query(
            "SELECT name, checksum FROM schema_migrations ORDER BY name", logger: logger)
        for try await (name, checksum) in rows.decode((String, String).self) {
            recorded.append((name, checksum))
        }
        return recorded
    }

    /// Refuses a database with unknown or edited migrations.
    private func checkRecorded(_ recorded: [(name: String, checksum: String)]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0.checksum) })
        let unknown = recorded.map(\.name).filter { known[$0] == nil }
        guard unknown.isEmpty else { throw PostgresMigrationError.unknownMigrations(unknown) }
        if let edited = recorded.first(where: { known[$0.name] != $0.checksum }) {
            throw PostgresMigrationError.checksumMismatch(edited.name)
        }
    }

    /// The server's own message: PSQLError's description hides it on purpose (it may quote data),
    /// but a migration's statement is our own text and the message is what an operator needs.
    private static func message(_ error: PSQLError) -> String {
        guard let info = error.serverInfo else { return String(describing: error) }
        return [info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ")
    }

    /// `applied_at` as the store writes every time: milliseconds since the Unix epoch.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// Why the PostgreSQL migration runner refused or failed. The cases mirror the SQLite side's
/// `StoreError.unknownMigrations` and `MigrationError.checksumMismatch`, with the same meaning;
/// this target does not depend on CrowdspeedStore, whose store seam maps them.
public enum PostgresMigrationError: Error, Sendable, Equatable {
    /// The database holds migrations this build does not know (a newer server migrated it).
    case unknownMigrations([String])
    /// A migration recorded as applied differs from the file of the same name.
    case checksumMismatch(String)
    /// A migration file holds SQL that the runner does not split into statements.
    case unsupportedSQL(migration: String, reason: String)
    /// The server rejected statement number `statement` (1-based) of a migration.
    case statementFailed(migration: String, statement: Int, sqlState: String, message: String)
}

extension PostgresMigrationError: CustomStringConvertible {
    /// What an operator reads when a server or `crowdspeed migrate` refuses the database.
    public var description: String {
        switch self {
        case .unknownMigrations(let names):
            "the database was migrated by a newer crowdspeed (unknown migrations: \(names.joined(separator: ", "))); "
                + "refusing to run on it: upgrade this server"
        case .checksumMismatch(let name):
            "migration \(name) recorded in the database differs from this build's file"
        case .unsupportedSQL(let migration, let reason):
            "migration \(migration) cannot be split into statements: \(reason)"
        case .statementFailed(let migration, let statement, let sqlState, let message):
            "migration \(migration), statement \(statement), failed (SQLSTATE \(sqlState)): \(message); rolled back"
        }
    }
}
