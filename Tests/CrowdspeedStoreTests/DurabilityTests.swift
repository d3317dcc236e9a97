import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// What survives closing the store, and the settings that decide what survives a crash.
@Suite("Durability")
struct DurabilityTests {
    @Test("everything is still there after closing and reopening the file")
    func reopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let submissions = (1...3).map { SubmissionFixture(id: UUID(), seed: UInt64($0)).build() }
            do {
                let store = try SQLiteResultStore(path: path)
                for (minute, submission) in submissions.enumerated() {
                    _ = try await store.ingest(submission, receivedAt: receivedAt(minute))
                }
            } // the last reference goes here, and GRDB closes the pool
            let reopened = try SQLiteResultStore(path: path)
            for submission in submissions {
                #expect(try await reopened.submission(id: submission.id)?.submission == submission)
            }
            #expect(try await reopened.machines(limit: 10, offset: 0).machines.first?.submissionCount == 3)
            let again = try await reopened.ingest(submissions[0], receivedAt: receivedAt(9))
            #expect(again == .duplicate(machineID: submissions[0].machine.machineID))
        }
    }

    @Test("WAL with synchronous NORMAL by default, FULL when durable, foreign keys on")
    func pragmas() async throws {
        try await withTemporaryStore { store in
            #expect(try await store.synchronousSetting() == 1)
            let (journal, foreignKeys) = try await store.writer.read { db in
                (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Bool.fetchOne(db, sql: "PRAGMA foreign_keys"))
            }
            #expect(journal == "wal")
            #expect(foreignKeys == true)
        }
        try await withTemporaryStore(configuration: .init(durability: .durable)) { store in
            let synchronous = try await store.synchronousSetting()
            #expect(synchronous == 2)
        }
    }
}
