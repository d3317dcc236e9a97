import CrowdspeedCore
import CrowdspeedStoreTestSupport
import Foundation
import GRDB
import Testing

@testable import CrowdspeedStore

/// The WAL is moved into the database file by the store's checkpointing connection after
/// ingest commits, and that connection closes with the store.
@Suite("WAL checkpoints off the writer")
struct WALCheckpointerTests {
    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test("ingests reach the database file soon after their commit, below the writer's own threshold")
    func checkpointedAfterCommits() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path, configuration: .init(durability: .durable))
            #expect(
                try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
                    == 10_000)
            let before = Self.fileSize(path)
            let submissions = (0..<12).map(GroupCommitTests.distinct)
            for submission in submissions { _ = try await store.ingest(submission, receivedAt: receivedAt(0)) }
            // 12 submissions are far below the writer's 10000-page threshold, so only the
            // checkpointer can have moved their pages into the file.
            let deadline = ContinuousClock.now + .seconds(10)
            while Self.fileSize(path) < before + 200_000, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(Self.fileSize(path) >= before + 200_000, "database file \(before) -> \(Self.fileSize(path)) bytes")
            for submission in submissions {
                #expect(try await store.submission(id: submission.id)?.submission == submission)
            }
            try await store.close()
        }
    }

    @Test("closing the store right after a burst of ingests leaves no connection and a whole file")
    func closeStopsTheCheckpointer() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            let submissions = (0..<8).map(GroupCommitTests.distinct)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for submission in submissions {
                    group.addTask { _ = try await store.ingest(submission, receivedAt: receivedAt(0)) }
                }
                try await group.waitForAll()
            }
            try await store.close()
            // With every connection closed, the WAL was checkpointed away and removed, so the
            // file alone holds every submission, and another connection sees it whole.
            #expect(!FileManager.default.fileExists(atPath: path + "-wal") || Self.fileSize(path + "-wal") == 0)
            let reader = try DatabaseQueue(path: path)
            let (integrity, count) = try await reader.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"),
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions")
                )
            }
            #expect(integrity == "ok")
            #expect(count == submissions.count)
            try reader.close()
        }
    }
}
