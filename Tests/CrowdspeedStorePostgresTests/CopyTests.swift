import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedMigrations
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import GRDB
import PostgresNIO
import CrowdspeedStoreTestSupport
import Testing

@testable import CrowdspeedStorePostgres

/// `crowdspeed copy` (``SQLiteToPostgresCopier``) from a real SQLite store with ingested,
/// moderated and fitted data into a real PostgreSQL.
@Suite(
    "Copy SQLite to PostgreSQL", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason),
    .timeLimit(.minutes(3)))
struct CopyTests {
    let logger = TestPostgres.logger

    /// A SQLite file with six simulated machines' submissions, one quarantined, and a formula.
    private func withSource<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-copy-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("source.sqlite").path
        let store = try SQLiteResultStore(path: path)
        let pipeline = Pipeline(stores: StoreCapabilities(store))
        let simulator = PopulationSimulator(seed: 3)
        let receivedAt = Date(timeIntervalSince1970: 1_790_000_000)
        var ids: [UUID] = []
        for index in 0..<6 {
            let submission = simulator.machine(at: index).submission
            ids.append(submission.id)
            _ = try await pipeline.ingest(submission, receivedAt: receivedAt.addingTimeInterval(Double(index)))
        }
        _ = try await pipeline.setQuarantine(
            .submission(ids[2]), quarantined: true, reason: "test", actor: "test", at: receivedAt)
        _ = try await Refitter(store: store, scope: .synthetic).refit()
        try await store.close()
        return try await body(path)
    }

    /// Row counts of every table of the SQLite file but the migration bookkeeping.
    private func sqliteCounts(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var counts: [String: Int] = [:]
            for table in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            where !["schema_migrations", "refit_lease"].contains(table) {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
            }
            return counts
        }
    }

    private func postgresCount(_ table: String, _ client: PostgresClient) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
            .collect()
        return Int(try rows.first?.decode(Int64.self) ?? -1)
    }

    @Test("every table copied with equal counts, blobs byte for byte, flags as booleans, identities restarted")
    func copy() async throws {
        try await withSource { path in
            let expected = try sqliteCounts(path)
            #expect(expected["submissions"] == 6)
            #expect((expected["results"] ?? 0) > 0)
            #expect(expected["formulas"] == 1)
            try await TestPostgres.withFreshDatabase { url in
                try await TestPostgres.withClient(url) { client in
                    try await PostgresMigrationRunner().migrate(client, logger: logger)
                    let counts = try await SQLiteToPostgresCopier(batchSize: 7, logger: logger).copy(
                        sqliteAt: path, to: client)
                    #expect(Dictionary(uniqueKeysWithValues: counts.map { ($0.table, $0.rows) }) == expected)
                    // Parents before children.
                    let order = counts.map(\.table)
                    #expect(order.firstIndex(of: "machines")! < order.firstIndex(of: "submissions")!)
                    #expect(order.firstIndex(of: "submissions")! < order.firstIndex(of: "results")!)
                    for (table, rows) in expected {
                        #expect(try await postgresCount(table, client) == rows, "\(table)")
                    }

                    // Sample blobs, byte for byte, with their ids.
                    let sourceSamples = try await DatabaseQueue(path: path).read { db in
                        try Row.fetchAll(db, sql: "SELECT id, samples FROM results ORDER BY id").map {
                            "\($0["id"] as Int64):" + ($0["samples"] as Data).base64EncodedString()
                        }
                    }
                    var targetSamples: [String] = []
                    for try await (id, samples) in try await client.query(
                        "SELECT id, samples FROM results ORDER BY id", logger: logger
                    ).decode((Int64, Data).self) {
                        targetSamples.append("\(id):" + samples.base64EncodedString())
                    }
                    #expect(targetSamples == sourceSamples)

                    // The quarantine flag is a boolean on PostgreSQL.
                    let quarantined = try await client.query(
                        "SELECT count(*) FROM submissions WHERE quarantined", logger: logger
                    ).collect().first?.decode(Int64.self)
                    #expect(quarantined == 1)

                    // The next generated id follows the copied ones.
                    let next = try await client.query(
                        "SELECT nextval(pg_get_serial_sequence('results', 'id')), (SELECT max(id) FROM results)",
                        logger: logger
                    ).collect().first?.decode((Int64, Int64).self)
                    #expect(next.map { $0.0 > $0.1 } == true)

                    // A second copy into the now full database is refused, and changes nothing.
                    await #expect(throws: CopyError.self) {
                        try await SQLiteToPostgresCopier(logger: logger).copy(sqliteAt: path, to: client)
                    }
                    #expect(try await postgresCount("submissions", client) == 6)
                }
            }
        }
    }

    @Test("a copy that fails part-way commits nothing")
    func allOrNothing() async throws {
        try await withSource { path in
            // A value no PostgreSQL column of its type takes, in the last table copied of the
            // three: machines and submissions go in first, then results fail.
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(
                    sql: "UPDATE results SET samples = 'not a blob' WHERE id = (SELECT max(id) FROM results)")
            }
            try queue.close()
            try await TestPostgres.withFreshDatabase { url in
                try await TestPostgres.withClient(url) { client in
                    try await PostgresMigrationRunner().migrate(client, logger: logger)
                    await #expect(
                        throws: CopyError.unsupportedValue(table: "results", column: "samples", targetType: "bytea")
                    ) {
                        try await SQLiteToPostgresCopier(logger: logger).copy(sqliteAt: path, to: client)
                    }
                    for table in ["machines", "submissions", "results", "formulas"] {
                        #expect(try await postgresCount(table, client) == 0, "\(table)")
                    }
                }
            }
        }
    }

    @Test("a target at other migrations than the source is refused")
    func migrationsDiffer() async throws {
        try await withSource { path in
            try await TestPostgres.withFreshDatabase { url in
                try await TestPostgres.withClient(url) { client in
                    let first = try MigrationFile.load(from: BundledMigrations.postgresDirectory).prefix(1)
                    _ = try await PostgresMigrationRunner(files: Array(first)).migrate(client, logger: logger)
                    await #expect(throws: CopyError.self) {
                        try await SQLiteToPostgresCopier(logger: logger).copy(sqliteAt: path, to: client)
                    }
                }
            }
        }
    }
}
