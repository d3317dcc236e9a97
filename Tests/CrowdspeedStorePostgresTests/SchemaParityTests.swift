import CrowdspeedMigrations
import GRDB
import PostgresNIO
import Testing
import CrowdspeedStoreTestSupport

@testable import CrowdspeedStorePostgres

/// The PostgreSQL migrations are a translation, not a second design: after all of them, every
/// table, column, nullability and named index that SQLite's migrations make exists on PostgreSQL,
/// with the type the translation rules give (INTEGER → BIGINT, or BOOLEAN for 0/1 flags; TEXT →
/// TEXT; REAL → DOUBLE PRECISION; BLOB → BYTEA), and nothing else does.
@Suite(
    "PostgreSQL schema parity", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason),
    .timeLimit(.minutes(2)))
struct SchemaParityTests {
    /// A column as both engines describe it, types reduced to the SQLite type they stand for.
    struct Column: Hashable, CustomStringConvertible {
        var table: String
        var name: String
        var type: String
        var nullable: Bool
        var description: String { "\(table).\(name) \(type)\(nullable ? "" : " NOT NULL")" }
    }

    /// The schema SQLite's migrations make, in a memory database.
    private func sqliteSchema() throws -> (columns: Set<Column>, indexes: Set<String>) {
        let queue = try DatabaseQueue()
        try queue.write { db in
            for file in try MigrationFile.load(from: BundledMigrations.directory) { try db.execute(sql: file.sql) }
        }
        return try queue.read { db in
            var columns: Set<Column> = []
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for table in tables {
                for row in try Row.fetchAll(
                    db, sql: "SELECT name, type, \"notnull\" FROM pragma_table_info(?)", arguments: [table])
                {
                    let type: String = row["type"]
                    let notNull: Bool = row["notnull"]
                    columns.insert(Column(table: table, name: row["name"], type: type.uppercased(), nullable: !notNull))
                }
            }
            let indexes = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            return (columns, Set(indexes))
        }
    }

    /// The schema the PostgreSQL migrations make, types mapped back to SQLite's names.
    private func postgresSchema(_ client: PostgresClient) async throws -> (columns: Set<Column>, indexes: Set<String>) {
        let logger = TestPostgres.logger
        var columns: Set<Column> = []
        let rows = try await client.query(
            """
            SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name NOT IN ('schema_migrations', 'schema_migrations_lock')
            """, logger: logger)
        for try await (table, name, type, nullable) in rows.decode((String, String, String, String).self) {
            let sqliteType: String
            switch type {
            case "bigint", "boolean": sqliteType = "INTEGER"
            case "text": sqliteType = "TEXT"
            case "double precision": sqliteType = "REAL"
            case "bytea": sqliteType = "BLOB"
            default: sqliteType = "unexpected \(type)"
            }
            columns.insert(Column(table: table, name: name, type: sqliteType, nullable: nullable == "YES"))
        }
        // Indexes made by CREATE INDEX, not those PostgreSQL makes for keys and UNIQUE constraints.
        var indexes: Set<String> = []
        for try await name in try await client.query(
            """
            SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()
            AND indexname NOT IN (SELECT conname FROM pg_constraint)
            """, logger: logger
        ).decode(String.self) {
            indexes.insert(name)
        }
        return (columns, indexes)
    }

    @Test("same tables, columns, nullability, types and indexes as SQLite")
    func parity() async throws {
        let sqlite = try sqliteSchema()
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                try await PostgresMigrationRunner().migrate(client, logger: TestPostgres.logger)
                let postgres = try await postgresSchema(client)
                #expect(sqlite.columns.count > 100)
                #expect(
                    postgres.columns.subtracting(sqlite.columns).isEmpty,
                    "only on PostgreSQL: \(postgres.columns.subtracting(sqlite.columns).sorted { $0.description < $1.description })"
                )
                #expect(
                    sqlite.columns.subtracting(postgres.columns).isEmpty,
                    "only on SQLite: \(sqlite.columns.subtracting(postgres.columns).sorted { $0.description < $1.description })"
                )
                #expect(postgres.indexes == sqlite.indexes)
            }
        }
    }
}
