import CrowdspeedCore
import CrowdspeedMigrations
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// The migration runner: applies the bundled files once, records them, and refuses databases it
/// does not understand.
@Suite("Migrations")
struct MigrationTests {
    /// A copy of the bundled migrations plus `extra` files, in a folder of its own.
    private func migrationsFolder(in directory: URL, extra: [String: String] = [:], edit: ((String) -> String)? = nil)
        throws -> URL
    {
        let folder = directory.appendingPathComponent("migrations-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(
            at: BundledMigrations.directory, includingPropertiesForKeys: nil)
        {
            let text = try String(contentsOf: file, encoding: .utf8)
            try (edit?(text) ?? text).write(
                to: folder.appendingPathComponent(file.lastPathComponent), atomically: true, encoding: .utf8)
        }
        for (name, sql) in extra {
            try sql.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test("the bundled migrations are found and well named")
    func bundled() throws {
        let runner = try MigrationRunner()
        #expect(runner.migrations.map(\.name).first == "0001_initial")
        #expect(runner.migrations.allSatisfy { MigrationRunner.isValidName($0.name) })
    }

    @Test("from an empty file: every migration applied, recorded, tables present")
    func fromEmpty() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let pool = try DatabasePool(path: path)
            let bundled = try MigrationRunner().migrations.map(\.name)
            let applied = try MigrationRunner().migrate(pool, now: receivedAt(0))
            #expect(applied == bundled)
            #expect(applied.starts(with: ["0001_initial", "0002_fits"]))
            #expect(try MigrationRunner.appliedMigrations(pool) == bundled)
            let tables = try await pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            // Later migrations add their own tables; these are 0001's and 0002's.
            #expect(
                Set(tables).isSuperset(of: [
                    "interpreters", "machines", "results", "schema_migrations", "submissions",
                    "curves", "machine_curves", "formulas", "fit_state",
                ]))
        }
    }

    @Test("re-running is a no-op")
    func rerun() async throws {
        try await withTemporaryDirectory { directory in
            let pool = try DatabasePool(path: directory.appendingPathComponent("db.sqlite").path)
            try MigrationRunner().migrate(pool, now: receivedAt(0))
            let recorded = {
                try await pool.read { db in
                    try Row.fetchAll(db, sql: "SELECT * FROM schema_migrations").map(\.description)
                }
            }
            let before = try await recorded()
            #expect(try MigrationRunner().migrate(pool, now: receivedAt(9)) == [])
            #expect(try await recorded() == before)
            // Opening a store on it migrates again, equally without effect.
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            #expect(try store.appliedMigrations() == MigrationRunner().migrations.map(\.name))
        }
    }

    @Test("a database migrated by a newer build is refused")
    func refusesUnknownMigration() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let newer = try migrationsFolder(
                in: directory, extra: ["9999_future.sql": "CREATE TABLE future (x INTEGER NOT NULL);"])
            let newStore = try SQLiteResultStore(path: path, configuration: .init(migrationsDirectory: newer))
            #expect(try newStore.appliedMigrations() == MigrationRunner().migrations.map(\.name) + ["9999_future"])
            #expect(throws: StoreError.unknownMigrations(["9999_future"])) {
                _ = try SQLiteResultStore(path: path)
            }
        }
    }

    @Test("an edited, already applied migration is refused")
    func refusesEditedMigration() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            _ = try SQLiteResultStore(path: path)
            let edited = try migrationsFolder(in: directory) { $0 + "\n-- an innocent edit\n" }
            #expect(throws: MigrationError.checksumMismatch("0001_initial")) {
                _ = try SQLiteResultStore(path: path, configuration: .init(migrationsDirectory: edited))
            }
        }
    }

    @Test("a failing migration is rolled back and not recorded")
    func failingMigration() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let broken = try migrationsFolder(
                in: directory,
                extra: [
                    "0002_broken.sql":
                        "CREATE TABLE half_done (x INTEGER NOT NULL); INSERT INTO no_such_table VALUES (1);"
                ])
            #expect(throws: (any Error).self) {
                _ = try SQLiteResultStore(path: path, configuration: .init(migrationsDirectory: broken))
            }
            let pool = try DatabasePool(path: path)
            #expect(try MigrationRunner.appliedMigrations(pool) == ["0001_initial"])
            #expect(try await pool.read { db in try db.tableExists("half_done") } == false)
        }
    }

    @Test("a misnamed migration file fails loudly")
    func misnamedFile() async throws {
        try await withTemporaryDirectory { directory in
            let folder = try migrationsFolder(in: directory, extra: ["2_oops.sql": "SELECT 1;"])
            #expect(throws: MigrationError.badFileName("2_oops.sql")) { _ = try MigrationRunner(directory: folder) }
        }
    }
}
