import CrowdspeedMigrations
import Foundation
import Logging
import PostgresNIO
import Testing
import CrowdspeedStoreTestSupport

@testable import CrowdspeedStorePostgres

/// The PostgreSQL migration runner against a real server: applies the bundled files once,
/// records them, serializes concurrent runners, and refuses databases it does not understand.
@Suite(
    "PostgreSQL migrations", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason),
    .timeLimit(.minutes(2)))
struct PostgresMigrationRunnerTests {
    let logger = TestPostgres.logger
    let fixedNow = Date(timeIntervalSince1970: 1_764_000_000)

    /// The bundled files with `extra` added (and `edit` applied to the bundled texts).
    private func files(extra: [MigrationFile] = [], edit: ((String) -> String)? = nil) throws -> [MigrationFile] {
        try MigrationFile.load(from: BundledMigrations.postgresDirectory).map {
            MigrationFile(name: $0.name, sql: edit?($0.sql) ?? $0.sql)
        } + extra
    }

    private var bundledNames: [String] {
        get throws { try MigrationFile.load(from: BundledMigrations.postgresDirectory).map(\.name) }
    }

    /// `schema_migrations` as (name, applied_at, checksum) rows.
    private func recordedRows(_ client: PostgresClient) async throws -> [String] {
        var rows: [String] = []
        for try await (name, appliedAt, checksum) in try await client.query(
            "SELECT name, applied_at, checksum FROM schema_migrations ORDER BY name", logger: logger
        ).decode((String, Int64, String).self) {
            rows.append("\(name) \(appliedAt) \(checksum)")
        }
        return rows
    }

    private func tableNames(_ client: PostgresClient) async throws -> Set<String> {
        var names: Set<String> = []
        for try await name in try await client.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            logger: logger
        ).decode(String.self) {
            names.insert(name)
        }
        return names
    }

    @Test("from an empty database: every migration applied, recorded with its checksum, tables present")
    func fromEmpty() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                #expect(try await PostgresMigrationRunner.appliedMigrations(client, logger: logger) == [])
                let runner = try PostgresMigrationRunner()
                let applied = try await runner.migrate(client, now: fixedNow, logger: logger)
                #expect(applied == (try bundledNames))
                #expect(try await PostgresMigrationRunner.appliedMigrations(client, logger: logger) == applied)
                let expectedRows = runner.migrations.map { "\($0.name) 1764000000000 \($0.checksum)" }
                #expect(try await recordedRows(client) == expectedRows)
                #expect(
                    try await tableNames(client).isSuperset(of: [
                        "machines", "interpreters", "submissions", "results", "curves", "machine_curves", "formulas",
                        "fit_state", "installs", "audit_log", "result_summaries", "schema_migrations",
                        "schema_migrations_lock",
                    ]))
                // 0002's data statement ran too.
                let scopes = try await client.query(
                    "SELECT scope, submissions FROM fit_state ORDER BY scope", logger: logger
                )
                .collect().map { try $0.decode((String, Int64).self) }
                #expect(scopes.map(\.0) == ["real", "synthetic"])
                #expect(scopes.map(\.1) == [0, 0])
            }
        }
    }

    @Test("re-running is a no-op")
    func rerun() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let runner = try PostgresMigrationRunner()
                try await runner.migrate(client, now: fixedNow, logger: logger)
                let before = try await recordedRows(client)
                #expect(try await runner.migrate(client, now: fixedNow.addingTimeInterval(60), logger: logger) == [])
                #expect(try await recordedRows(client) == before)
            }
            // A new client (a restarted server) finds nothing to do either.
            let appliedAfterRestart = try await TestPostgres.withClient(url) { client in
                try await PostgresMigrationRunner().migrate(client, logger: logger)
            }
            #expect(appliedAfterRestart == [])
        }
    }

    @Test("servers starting together on an empty database: no errors, each migration applied once")
    func concurrentFromEmpty() async throws {
        for _ in 0..<3 {
            try await TestPostgres.withFreshDatabase { url in
                let results = try await runConcurrently(url, count: 4)
                #expect(results.flatMap { $0 }.sorted() == (try bundledNames))
                let recorded = try await TestPostgres.withClient(url) { client in try await recordedRows(client) }
                #expect(recorded.count == (try bundledNames).count)
            }
        }
    }

    @Test("runners queue on the lock row and apply each migration exactly once when it is released")
    func concurrentBehindLock() async throws {
        try await TestPostgres.withFreshDatabase { url in
            let files = try files()
            // The first migration only: the bookkeeping tables now exist, the rest is to do.
            try await TestPostgres.withClient(url) { client in
                _ = try await PostgresMigrationRunner(files: Array(files.prefix(1))).migrate(client, logger: logger)
            }
            let runners = 4
            try await TestPostgres.withClient(url, maximumConnections: 2) { holder in
                try await holder.withConnection { connection in
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query(
                        "SELECT id FROM schema_migrations_lock WHERE id = 1 FOR UPDATE", logger: logger)
                    let started = Task { try await runConcurrently(url, count: runners) }
                    // Every runner must be waiting for the lock row before it is released; a runner
                    // that did not take the lock would finish (or fail) instead, and this times out.
                    do {
                        try await waitUntil(waitingOnLocks: runners, database: url.database, via: holder)
                    } catch {
                        try await connection.query("ROLLBACK", logger: logger)
                        _ = try? await started.value
                        throw error
                    }
                    try await connection.query("COMMIT", logger: logger)
                    let results = try await started.value
                    #expect(results.flatMap { $0 }.sorted() == Array(try bundledNames.dropFirst()))
                    #expect(results.filter { !$0.isEmpty }.count >= 1)
                }
                #expect(try await recordedRows(holder).count == (try bundledNames).count)
            }
        }
    }

    /// Runs `count` runners at once, each with a client of its own (as separate servers would),
    /// lets every one finish, then throws the first error if any failed.
    private func runConcurrently(_ url: PostgresURL, count: Int) async throws -> [[String]] {
        let outcomes = await withTaskGroup(of: Result<[String], any Error>.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        return .success(
                            try await TestPostgres.withClient(url, maximumConnections: 1) { client in
                                try await PostgresMigrationRunner().migrate(client, logger: TestPostgres.logger)
                            })
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<[String], any Error>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        return try outcomes.map { try $0.get() }
    }

    /// Polls pg_stat_activity until `count` sessions on `database` wait for a lock (30 s at most).
    private func waitUntil(waitingOnLocks count: Int, database: String, via client: PostgresClient) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let waiting = try await client.query(
                """
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = \(database) AND wait_event_type = 'Lock'
                """, logger: logger
            ).collect().first?.decode(Int64.self)
            if waiting == Int64(count) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("\(count) runners were not all waiting for the migration lock within 30 s")
        throw CancellationError()
    }

    @Test("a database migrated by a newer build is refused, and left as it was")
    func refusesUnknownMigration() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let future = MigrationFile(name: "9999_future", sql: "CREATE TABLE future (x BIGINT NOT NULL);")
                let newer = try PostgresMigrationRunner(files: try files(extra: [future]))
                #expect(try await newer.migrate(client, logger: logger).last == "9999_future")
                let before = try await recordedRows(client)
                await #expect(throws: PostgresMigrationError.unknownMigrations(["9999_future"])) {
                    try await PostgresMigrationRunner().migrate(client, logger: logger)
                }
                #expect(try await recordedRows(client) == before)
            }
        }
    }

    @Test("a database lacking migrations and recording a newer one is refused before anything is applied")
    func refusesUnknownBeforeApplying() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let all = try files()
                let future = MigrationFile(name: "9999_future", sql: "SELECT 1;")
                try await PostgresMigrationRunner(files: [all[0], future]).migrate(client, logger: logger)
                await #expect(throws: PostgresMigrationError.unknownMigrations(["9999_future"])) {
                    try await PostgresMigrationRunner().migrate(client, logger: logger)
                }
                #expect(
                    try await PostgresMigrationRunner.appliedMigrations(client, logger: logger) == [
                        all[0].name, "9999_future",
                    ])
            }
        }
    }

    @Test("an edited, already applied migration is refused")
    func refusesEditedMigration() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                try await PostgresMigrationRunner().migrate(client, logger: logger)
                let edited = try PostgresMigrationRunner(files: try files { $0 + "\n-- an innocent edit\n" })
                await #expect(throws: PostgresMigrationError.checksumMismatch("0001_initial")) {
                    try await edited.migrate(client, logger: logger)
                }
            }
        }
    }

    @Test("a failing migration is rolled back, not recorded, and reported with the server's reason")
    func failingMigration() async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                let first = try files()[0]
                let broken = MigrationFile(
                    name: "0002_broken",
                    sql: "CREATE TABLE half_done (x BIGINT NOT NULL);\nINSERT INTO no_such_table VALUES (1);")
                let runner = try PostgresMigrationRunner(files: [first, broken])
                do {
                    try await runner.migrate(client, logger: logger)
                    Issue.record("the broken migration was applied")
                } catch PostgresMigrationError.statementFailed(let migration, let statement, let sqlState, let message)
                {
                    #expect(migration == "0002_broken")
                    #expect(statement == 2)
                    #expect(sqlState == "42P01") // undefined_table
                    #expect(message.contains("no_such_table"))
                }
                #expect(try await PostgresMigrationRunner.appliedMigrations(client, logger: logger) == [first.name])
                #expect(!(try await tableNames(client).contains("half_done")))
            }
        }
    }

    @Test("files the splitter cannot read are refused before any database is touched")
    func unsupportedFile() {
        let file = MigrationFile(
            name: "0001_fn", sql: "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;")
        #expect(throws: PostgresMigrationError.self) { try PostgresMigrationRunner(files: [file]) }
    }
}

/// The harness's promise: under `scripts/with-postgres` (and so `scripts/test`) the Postgres
/// tests run; they may only be skipped in a developer's own `swift test`.
@Suite("PostgreSQL test harness")
struct PostgresHarnessTests {
    @Test("a live PostgreSQL is configured whenever the harness requires one")
    func requiredServerPresent() throws {
        if TestPostgres.isRequired {
            let url = try TestPostgres.url()
            #expect(url.sslMode == .disable)
        }
    }

    @Test("the live server answers", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason))
    func serverAnswers() async throws {
        try await TestPostgres.withClient(try TestPostgres.url()) { client in
            let version = try await client.query("SHOW server_version_num", logger: TestPostgres.logger)
                .collect().first?.decode(String.self)
            #expect((Int(version ?? "") ?? 0) >= 150_000)
        }
    }
}
