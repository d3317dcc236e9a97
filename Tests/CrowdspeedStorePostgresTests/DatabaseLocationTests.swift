import CrowdspeedMigrations
import CrowdspeedStore
import Foundation
import PostgresNIO
import CrowdspeedStoreTestSupport
import Testing

@testable import CrowdspeedStorePostgres

/// `--database-url`, `--db` and their environment variables, as every command resolves them.
@Suite("Database location")
struct DatabaseLocationTests {
    @Test("sqlite: and postgres:// URLs parse; others are refused with a reason")
    func parsing() throws {
        #expect(try DatabaseLocation(url: "sqlite:data/x.sqlite") == .sqlite(path: "data/x.sqlite"))
        #expect(try DatabaseLocation(url: "sqlite:///var/lib/x.sqlite") == .sqlite(path: "/var/lib/x.sqlite"))
        let postgres = try DatabaseLocation(url: "postgresql://app:secret@db.example:6432/crowd")
        #expect(postgres == .postgres(try PostgresURL("postgres://app:secret@db.example:6432/crowd")))
        #expect(!postgres.description.contains("secret"))
        #expect(throws: DatabaseLocationError.unknownScheme) { try DatabaseLocation(url: "mysql://x@y/z") }
        #expect(throws: DatabaseLocationError.unknownScheme) { try DatabaseLocation(url: "crowdspeed.sqlite") }
        #expect(throws: DatabaseLocationError.emptyPath("sqlite:")) { try DatabaseLocation(url: "sqlite:") }
        #expect(throws: DatabaseLocationError.badPostgresURL(.missingUser)) {
            try DatabaseLocation(url: "postgres://db.example/crowd")
        }
    }

    @Test("options win over the environment; the default is ./crowdspeed.sqlite")
    func precedence() throws {
        let environment = ["CROWDSPEED_DATABASE_URL": "postgres://app@db/crowd"]
        #expect(
            try DatabaseLocation.resolve(databaseURL: nil, databasePath: nil, environment: [:])
                == .sqlite(path: "./crowdspeed.sqlite"))
        #expect(
            try DatabaseLocation.resolve(databaseURL: nil, databasePath: nil, environment: environment)
                == .postgres(try PostgresURL("postgres://app@db/crowd")))
        #expect(
            try DatabaseLocation.resolve(databaseURL: nil, databasePath: "here.sqlite", environment: environment)
                == .sqlite(path: "here.sqlite"))
        #expect(
            try DatabaseLocation.resolve(
                databaseURL: "sqlite:there.sqlite", databasePath: nil, environment: ["CROWDSPEED_DB": "x.sqlite"])
                == .sqlite(path: "there.sqlite"))
        #expect(
            try DatabaseLocation.resolve(
                databaseURL: nil, databasePath: nil, environment: ["CROWDSPEED_DB": "x.sqlite"])
                == .sqlite(path: "x.sqlite"))
    }

    @Test("two sources at one level are a usage error, never a silent choice")
    func conflicts() {
        #expect(throws: DatabaseLocationError.self) {
            try DatabaseLocation.resolve(databaseURL: "sqlite:a", databasePath: "b", environment: [:])
        }
        #expect(throws: DatabaseLocationError.self) {
            try DatabaseLocation.resolve(
                databaseURL: nil, databasePath: nil,
                environment: ["CROWDSPEED_DATABASE_URL": "postgres://app@db/crowd", "CROWDSPEED_DB": "x.sqlite"])
        }
        #expect(throws: DatabaseLocationError.emptyPath("--db")) {
            try DatabaseLocation.resolve(databaseURL: nil, databasePath: "", environment: [:])
        }
    }
}

/// `crowdspeed migrate` (``OpenedDatabase/migrate(_:logger:)``) and opening for a server, on
/// both backends.
@Suite("Migrate and open")
struct MigrateAndOpenTests {
    private var bundledNames: [String] {
        get throws { try MigrationFile.load(from: BundledMigrations.directory).map(\.name) }
    }

    @Test("SQLite: a new file gets every migration, a second run applies none")
    func sqlite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-migrate-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let location = DatabaseLocation.sqlite(path: directory.appendingPathComponent("db.sqlite").path)
        let first = try await OpenedDatabase.migrate(location, logger: TestPostgres.logger)
        #expect(first.applied == (try bundledNames))
        #expect(first.recorded == (try bundledNames))
        #expect(first.applied.contains("0009_refit_lease"))
        let second = try await OpenedDatabase.migrate(location, logger: TestPostgres.logger)
        #expect(second.applied == [])
        #expect(second.recorded == (try bundledNames))
    }

    @Test(
        "PostgreSQL: every migration, then none; a schema newer than this build is refused, untouched",
        .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason), .timeLimit(.minutes(2)))
    func postgres() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let location = DatabaseLocation.postgres(url)
            let first = try await OpenedDatabase.migrate(location, logger: TestPostgres.logger)
            #expect(first.applied == (try bundledNames))
            #expect(try await OpenedDatabase.migrate(location, logger: TestPostgres.logger).applied == [])
            // A newer build recorded a migration this one does not have.
            try await TestPostgres.withClient(url) { client in
                try await client.query(
                    "INSERT INTO schema_migrations (name, applied_at, checksum) VALUES ('9999_future', 0, 'x')",
                    logger: TestPostgres.logger)
            }
            await #expect(throws: PostgresMigrationError.unknownMigrations(["9999_future"])) {
                try await OpenedDatabase.migrate(location, logger: TestPostgres.logger)
            }
            // A server refuses it the same way, before anything else.
            await #expect(throws: PostgresMigrationError.unknownMigrations(["9999_future"])) {
                try await OpenedDatabase.open(location, logger: TestPostgres.logger)
            }
            let recorded = try await TestPostgres.withClient(url) { client in
                try await PostgresMigrationRunner.appliedMigrations(client, logger: TestPostgres.logger)
            }
            #expect(recorded == (try bundledNames) + ["9999_future"])
        }
    }

    @Test(
        "PostgreSQL: a server opening an empty database migrates it first",
        .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason), .timeLimit(.minutes(2)))
    func openPostgres() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let opened = try await OpenedDatabase.open(.postgres(url), logger: TestPostgres.logger)
            // Its pool is the one service to run.
            #expect(opened.services.count == 1)
            #expect(opened.migrations == (try bundledNames))
            let recorded = try await TestPostgres.withClient(url) { client in
                try await PostgresMigrationRunner.appliedMigrations(client, logger: TestPostgres.logger)
            }
            #expect(recorded == (try bundledNames))
        }
    }
}
