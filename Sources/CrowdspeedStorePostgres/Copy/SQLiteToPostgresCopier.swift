import CrowdspeedStore
import Foundation
import GRDB
import Logging
import PostgresNIO

/// `crowdspeed copy`: copies an embedded SQLite database into an empty, migrated PostgreSQL
/// database, so an operator can move up without losing data.
///
/// - All or nothing: every row is written in one PostgreSQL transaction, committed only after the
///   per-table row counts of the target match the source's.
/// - Bounded memory: each table is read in rowid order, ``batchSize`` rows at a time, and each
///   batch is one multi-row `INSERT`.
/// - Consistent: the source is read in one SQLite read transaction (a WAL snapshot), so a server still writing to
///   it does not tear the copy; what it writes after the copy began is simply not copied.
/// - Exact: blobs are copied byte for byte, 0/1 flags become booleans, and identity columns'
///   sequences restart after the largest copied id, so the next insert gets a fresh one.
///
/// Tables are copied parents first (SQLite's foreign keys give the order). The target's schema
/// is the PostgreSQL translation of the source's (the same migration ids, checked), so every
/// source column exists on the target.
public struct SQLiteToPostgresCopier: Sendable {
    /// Rows read and inserted at a time (fewer for tables whose columns would exceed PostgreSQL's
    /// 65535 parameters per statement).
    public var batchSize: Int
    let logger: Logger

    /// Tables never copied: each database keeps its own migration bookkeeping, and a refit lease
    /// belongs to the servers of the source.
    static let skippedTables: Set<String> = ["schema_migrations", "schema_migrations_lock", "refit_lease"]
    /// Tables whose rows the migrations write into an empty database (fit counters per scope;
    /// the dashboard's counter row; the comparisons' revision): the source's rows replace them.
    static let replacedTables: Set<String> = ["fit_state", "dashboard_counters", "comparison_revision"]

    /// Creates a copier.
    public init(batchSize: Int = 500, logger: Logger) {
        self.batchSize = batchSize
        self.logger = logger
    }

    /// One table's outcome.
    public struct TableCount: Sendable, Equatable {
        public var table: String
        public var rows: Int
    }

    /// Copies the SQLite file at `sourcePath` into the database `client` reaches.
    ///
    /// Both databases must be migrated to the same migration ids (open the source with this build
    /// and run the target's migrations first; `crowdspeed copy` does both).
    ///
    /// - Returns: the rows copied per table, in copy order (equal on both sides: checked).
    /// - Throws: ``CopyError`` when the target is not empty, the schemas differ, a value does not
    ///   fit its target column or the counts disagree (nothing is then committed), and the
    ///   databases' own errors.
    public func copy(sqliteAt sourcePath: String, to client: PostgresClient) async throws -> [TableCount] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let pool = try DatabasePool(path: sourcePath, configuration: configuration)
        defer { try? pool.close() }
        let snapshot = try pool.makeSnapshot()
        let source = try await snapshot.read { db in try SourceSchema(db) }
        let sourceMigrations = try MigrationRunner.appliedMigrations(snapshot)
        let targetMigrations = try await PostgresMigrationRunner.appliedMigrations(client, logger: logger)
        guard sourceMigrations == targetMigrations else {
            throw CopyError.migrationsDiffer(source: sourceMigrations, target: targetMigrations)
        }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let targetColumns = try await Self.columnTypes(on: connection, logger: logger)
                try await checkEmpty(source.tables, on: connection)
                var counts: [TableCount] = []
                for table in source.tables {
                    let columns = try source.columns[table, default: []].map { column in
                        guard let type = targetColumns[table]?[column] else {
                            throw CopyError.missingColumn(table: table, column: column)
                        }
                        return (name: column, type: type)
                    }
                    let copied = try await copyTable(table, columns: columns, from: snapshot, to: connection)
                    let inTarget = try await Self.count(table, on: connection, logger: logger)
                    let inSource = try await snapshot.read { db in
                        try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
                    }
                    guard copied == inSource, inTarget == inSource else {
                        throw CopyError.countMismatch(table: table, source: inSource, target: inTarget)
                    }
                    logger.info("copied table", metadata: ["table": "\(table)", "rows": "\(copied)"])
                    counts.append(TableCount(table: table, rows: copied))
                }
                try await restartIdentities(on: connection)
                return counts
            }
        } catch let error as PostgresTransactionError {
            // Report what went wrong inside, not the wrapper.
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Refuses a target holding any row beyond what migrations write into an empty database,
    /// and clears those.
    private func checkEmpty(_ tables: [String], on connection: PostgresConnection) async throws {
        for table in tables {
            let rows = try await Self.count(table, on: connection, logger: logger)
            guard rows > 0 else { continue }
            guard Self.replacedTables.contains(table) else { throw CopyError.targetNotEmpty(table: table, rows: rows) }
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(Self.quoted(table))"), logger: logger)
        }
    }

    /// Copies one table batch by batch; returns the rows inserted.
    private func copyTable(
        _ table: String, columns: [(name: String, type: String)], from snapshot: DatabaseSnapshot,
        to connection: PostgresConnection
    ) async throws -> Int {
        let rowsPerBatch = max(1, min(batchSize, 65_535 / max(1, columns.count)))
        let select = """
            SELECT rowid, \(columns.map { $0.name.quotedDatabaseIdentifier }.joined(separator: ", "))
            FROM \(table.quotedDatabaseIdentifier) WHERE rowid > ? ORDER BY rowid LIMIT \(rowsPerBatch)
            """
        let insertHead =
            "INSERT INTO \(Self.quoted(table)) (\(columns.map { Self.quoted($0.name) }.joined(separator: ", "))) VALUES "
        var lastRowID: Int64 = .min
        var copied = 0
        while true {
            let after = lastRowID
            let batch = try await snapshot.read { db in
                try Row.fetchAll(db, sql: select, arguments: [after]).map { row in
                    (rowID: row[0] as Int64, values: (1..<row.count).map { CopyValue(row[$0] as DatabaseValue) })
                }
            }
            guard let last = batch.last else { return copied }
            var binds = PostgresBindings(capacity: batch.count * columns.count)
            var tuples: [String] = []
            tuples.reserveCapacity(batch.count)
            for row in batch {
                var placeholders: [String] = []
                for (index, value) in row.values.enumerated() {
                    try value.bind(into: &binds, as: columns[index].type, table: table, column: columns[index].name)
                    placeholders.append("$\(binds.count)")
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: insertHead + tuples.joined(separator: ", "), binds: binds), logger: logger)
            copied += batch.count
            lastRowID = last.rowID
        }
    }

    /// Restarts every identity column's sequence after the largest value copied into it.
    private func restartIdentities(on connection: PostgresConnection) async throws {
        let rows = try await connection.query(
            """
            SELECT table_name::text, column_name::text FROM information_schema.columns
            WHERE table_schema = current_schema() AND is_identity = 'YES'
            """, logger: logger)
        var identities: [(String, String)] = []
        for try await identity in rows.decode((String, String).self) { identities.append(identity) }
        for (table, column) in identities {
            var binds = PostgresBindings()
            binds.append(Self.quoted(table))
            binds.append(column)
            try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence($1, $2),
                            (SELECT coalesce(max(\(Self.quoted(column))), 0) + 1 FROM \(Self.quoted(table))), false)
                        """, binds: binds), logger: logger)
        }
    }

    /// Every column's `data_type` on the target, by table and column.
    private static func columnTypes(on connection: PostgresConnection, logger: Logger) async throws
        -> [String: [String: String]]
    {
        var types: [String: [String: String]] = [:]
        let rows = try await connection.query(
            """
            SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns
            WHERE table_schema = current_schema()
            """, logger: logger)
        for try await (table, column, type) in rows.decode((String, String, String).self) {
            types[table, default: [:]][column] = type
        }
        return types
    }

    private static func count(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(quoted(table))"), logger: logger
        ).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    /// A PostgreSQL identifier, quoted (names come from the schema, but quoting costs nothing).
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The source's tables in copy order (parents first) and their columns.
struct SourceSchema: Sendable {
    var tables: [String]
    var columns: [String: [String]]

    init(_ db: Database) throws {
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).filter { !SQLiteToPostgresCopier.skippedTables.contains($0) }
        var parents: [String: Set<String>] = [:]
        columns = [:]
        for table in names {
            columns[table] = try String.fetchAll(
                db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
            parents[table] = Set(
                try String.fetchAll(db, sql: "SELECT \"table\" FROM pragma_foreign_key_list(?)", arguments: [table])
            ).subtracting([table])
        }
        // Kahn's algorithm, alphabetical among the ready ones so the order is stable.
        var ordered: [String] = []
        var remaining = Set(names)
        while !remaining.isEmpty {
            let ready = remaining.filter { parents[$0, default: []].isDisjoint(with: remaining) }.sorted()
            guard !ready.isEmpty else { throw CopyError.foreignKeyCycle(remaining.sorted()) }
            ordered += ready
            remaining.subtract(ready)
        }
        tables = ordered
    }
}

/// One SQLite value on its way to a PostgreSQL column.
enum CopyValue: Sendable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let integer): self = .integer(integer)
        case .double(let real): self = .real(real)
        case .string(let text): self = .text(text)
        case .blob(let data): self = .blob(data)
        }
    }

    /// Appends the value as the target column's type wants it.
    func bind(into binds: inout PostgresBindings, as type: String, table: String, column: String) throws {
        switch (self, type) {
        case (.null, _): binds.appendNull()
        case (.integer(let value), "bigint"), (.integer(let value), "integer"), (.integer(let value), "smallint"):
            binds.append(value)
        case (.integer(let value), "boolean") where value == 0 || value == 1: binds.append(value == 1)
        case (.integer(let value), "double precision"): binds.append(Double(value))
        case (.real(let value), "double precision"): binds.append(value)
        case (.text(let value), "text"): binds.append(value)
        case (.blob(let value), "bytea"): try binds.append(value)
        default: throw CopyError.unsupportedValue(table: table, column: column, targetType: type)
        }
    }
}

/// Why a copy was refused or rolled back.
public enum CopyError: Error, Sendable, Equatable, CustomStringConvertible {
    case migrationsDiffer(source: [String], target: [String])
    case targetNotEmpty(table: String, rows: Int)
    case missingColumn(table: String, column: String)
    case unsupportedValue(table: String, column: String, targetType: String)
    case countMismatch(table: String, source: Int, target: Int)
    case foreignKeyCycle([String])

    public var description: String {
        switch self {
        case .migrationsDiffer(let source, let target):
            "the source is at migration \(source.last ?? "none") and the target at \(target.last ?? "none"); "
                + "both must be migrated by this build"
        case .targetNotEmpty(let table, let rows):
            "the target database is not empty (\(table) holds \(rows) rows); copy only into a new database"
        case .missingColumn(let table, let column):
            "the target has no column \(table).\(column): its schema is not this build's"
        case .unsupportedValue(let table, let column, let type):
            "a value of \(table).\(column) does not fit the target's \(type) column"
        case .countMismatch(let table, let source, let target):
            "\(table): \(source) rows in the source but \(target) in the target; nothing was committed"
        case .foreignKeyCycle(let tables):
            "the source's foreign keys form a cycle among \(tables.joined(separator: ", "))"
        }
    }
}
