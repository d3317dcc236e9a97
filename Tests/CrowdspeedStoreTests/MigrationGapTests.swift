import CrowdspeedCore
import CrowdspeedMigrations
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// Migrations are written in parallel (0002 fitting, 0003 trust, 0004 dashboard), so a database
/// can receive a higher number before a lower one ships. The runner applies whatever is missing
/// in name order; this test pins that, since refusing the gap would strand such databases.
@Suite("Migration gaps")
struct MigrationGapTests {
    /// The bundled migrations plus `extra`, in a folder of their own.
    private func folder(in directory: URL, _ extra: [String: String]) throws -> URL {
        let folder = directory.appendingPathComponent("migrations-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(
            at: BundledMigrations.directory, includingPropertiesForKeys: nil)
        {
            try FileManager.default.copyItem(at: file, to: folder.appendingPathComponent(file.lastPathComponent))
        }
        for (name, sql) in extra {
            try sql.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return folder
    }

    @Test("a migration numbered below one already applied is applied later, once")
    func gapFilledLater() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let late = "CREATE TABLE late (x INTEGER NOT NULL);"
            _ = try SQLiteResultStore(
                path: path,
                configuration: .init(migrationsDirectory: try folder(in: directory, ["9993_late.sql": late])))
            let store = try SQLiteResultStore(
                path: path,
                configuration: .init(
                    migrationsDirectory: try folder(
                        in: directory,
                        [
                            "9993_late.sql": late, "9992_gap.sql": "CREATE TABLE gap (x INTEGER NOT NULL);",
                        ])))
            let names = try store.appliedMigrations()
            #expect(names.suffix(2) == ["9992_gap", "9993_late"])
            #expect(Set(names).count == names.count)
            #expect(try await store.writer.read { db in try db.tableExists("gap") && db.tableExists("late") })
        }
    }

    @Test("results stored before the dashboard migration are summarized when it is applied")
    func summariesBackfilledOnce() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let submission = SubmissionFixture().build()
            do {
                let store = try SQLiteResultStore(path: path)
                _ = try await store.ingest(submission, receivedAt: Date(timeIntervalSince1970: 1_790_000_000))
                // Back to the schema before 0004, with the results it never summarized.
                try await store.writer.write { db in
                    try db.execute(
                        sql: """
                            DROP TABLE result_summaries; DROP INDEX submissions_received;
                            DELETE FROM schema_migrations WHERE name = '\(SQLiteResultStore.resultSummariesMigration)';
                            """)
                }
            }
            let reopened = try SQLiteResultStore(path: path)
            let counts = try await reopened.writer.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM results") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM result_summaries") ?? -1
                )
            }
            #expect(counts.0 == submission.results.count)
            #expect(counts.1 == counts.0)
        }
    }
}
