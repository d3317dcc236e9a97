import CrowdspeedCore
import CrowdspeedMigrations
import Foundation
import GRDB

/// Applies the numbered SQL migrations (`NNNN_name.sql`) to a database and refuses to run on a
/// database that a newer build has migrated further.
///
/// Hand-rolled rather than GRDB's `DatabaseMigrator` because the migrations are SQL files read at
/// run time and each one carries a checksum; the logic is small. Each migration runs in its own
/// immediate transaction together with its `schema_migrations` row, so a failed migration leaves
/// no trace and two processes starting at once cannot apply the same file twice.
public struct MigrationRunner: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        /// The file name without `.sql`, e.g. `0001_initial`: what `schema_migrations` records.
        public var name: String
        public var sql: String
        /// 64-bit FNV-1a of the file's bytes: an edited, already-shipped migration is detected.
        public var checksum: String

        public init(name: String, sql: String) {
            self.name = name
            self.sql = sql
            var hash = FNV1a()
            hash.add(contentsOf: sql.utf8)
            self.checksum = "fnv1a64:" + hash.hex
        }
    }

    /// The migrations this runner knows, in the order they apply.
    public let migrations: [Migration]

    /// A runner over the given migrations, applied in name order.
    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.name < $1.name }
    }

    /// A runner over the `.sql` files of `directory` (the bundled ones by default).
    /// - Throws: ``MigrationError/badFileName(_:)`` for a `.sql` file not named `NNNN_name.sql`,
    ///   so a misnamed file fails loudly instead of being skipped.
    public init(directory: URL = BundledMigrations.directory) throws {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let migrations = try files.map { file in
            let name = file.deletingPathExtension().lastPathComponent
            guard Self.isValidName(name) else { throw MigrationError.badFileName(file.lastPathComponent) }
            return Migration(name: name, sql: try String(contentsOf: file, encoding: .utf8))
        }
        self.init(migrations: migrations)
    }

    /// `NNNN_name`: four digits, an underscore, then lowercase letters, digits and underscores.
    static func isValidName(_ name: String) -> Bool {
        let chars = Array(name.utf8)
        guard chars.count > 5, chars[4] == UInt8(ascii: "_") else { return false }
        return chars[0..<4].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && chars[5...].allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            }
    }

    /// Applies every migration not yet recorded, each in its own transaction.
    ///
    /// - Parameter now: the time recorded as `applied_at` (injected for tests).
    /// - Returns: the names applied by this call; empty when the database was up to date.
    /// - Throws: ``StoreError/unknownMigrations(_:)`` when the database records migrations this
    ///   build does not have (a newer server migrated it; running on would risk its data), and
    ///   ``MigrationError/checksumMismatch(_:)`` when a recorded migration's file was edited.
    @discardableResult
    public func migrate(_ writer: any DatabaseWriter, now: Date = Date()) throws -> [String] {
        try writer.writeWithoutTransaction { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        name       TEXT    NOT NULL PRIMARY KEY,
                        applied_at INTEGER NOT NULL,
                        checksum   TEXT    NOT NULL
                    )
                    """)
            try checkRecorded(try Self.recorded(db))
            var applied: [String] = []
            for migration in migrations {
                var didApply = false
                try db.inTransaction(.immediate) {
                    // Re-read inside the transaction: another process may have applied it meanwhile.
                    let isRecorded =
                        try Bool.fetchOne(
                            db, sql: "SELECT 1 FROM schema_migrations WHERE name = ?", arguments: [migration.name])
                        ?? false
                    guard !isRecorded else { return .rollback }
                    try db.execute(sql: migration.sql)
                    try db.execute(
                        sql: "INSERT INTO schema_migrations (name, applied_at, checksum) VALUES (?, ?, ?)",
                        arguments: [migration.name, StoreTime.milliseconds(now), migration.checksum])
                    didApply = true
                    return .commit
                }
                if didApply { applied.append(migration.name) }
            }
            return applied
        }
    }

    /// The names recorded in `schema_migrations`, in order; empty on a database never migrated.
    public static func appliedMigrations(_ reader: any DatabaseReader) throws -> [String] {
        try reader.read { db in
            guard try db.tableExists("schema_migrations") else { return [] }
            return try recorded(db).map(\.name)
        }
    }

    /// Name and checksum of every recorded migration.
    private static func recorded(_ db: Database) throws -> [(name: String, checksum: String)] {
        try Row.fetchAll(db, sql: "SELECT name, checksum FROM schema_migrations ORDER BY name")
            .map { (name: $0["name"], checksum: $0["checksum"]) }
    }

    /// Refuses a database with unknown or edited migrations.
    private func checkRecorded(_ recorded: [(name: String, checksum: String)]) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0.checksum) })
        let unknown = recorded.map(\.name).filter { known[$0] == nil }
        guard unknown.isEmpty else { throw StoreError.unknownMigrations(unknown) }
        if let edited = recorded.first(where: { known[$0.name] != $0.checksum }) {
            throw MigrationError.checksumMismatch(edited.name)
        }
    }
}

/// Problems with the migration files themselves (as opposed to the database's state).
public enum MigrationError: Error, Sendable, Equatable {
    /// A `.sql` file in the migrations folder is not named `NNNN_name.sql`.
    case badFileName(String)
    /// A migration recorded as applied differs from the file of the same name: shipped
    /// migrations must never be edited; add a new one instead.
    case checksumMismatch(String)
}
