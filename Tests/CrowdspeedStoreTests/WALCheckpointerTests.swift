import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing

/// The WAL is moved into the database file by the store's checkpointing connection after
/// ingest commits; the writer itself never checkpoints.
@Suite("WAL checkpoints off the writer")
struct WALCheckpointerTests {
    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    @Test("ingests reach the database file soon after their commit, without the writer checkpointing")
    func checkpointedAfterCommits() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path, configuration: .init(durability: .durable))
            #expect(try await store.writer.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") } == 0)
            let before = Self.fileSize(path)
            let submissions = (0 ..< 12).map(GroupCommitTests.distinct)
            for submission in submissions { _ = try await store.ingest(submission, receivedAt: receivedAt(0)) }
            // 12 submissions are far below SQLite's own 1000-page threshold, so only the
            // checkpointer can have moved their pages into the file.
            let deadline = ContinuousClock.now + .seconds(10)
            while Self.fileSize(path) < before + 200_000, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(Self.fileSize(path) >= before + 200_000, "database file \(before) -> \(Self.fileSize(path)) bytes")
            for submission in submissions { #expect(try await store.submission(id: submission.id)?.submission == submission) }
        }
    }
}
