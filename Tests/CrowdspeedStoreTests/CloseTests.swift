import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// ``SQLiteResultStore/close()``: the store's own work ends before its connections close, and
/// afterwards the file can be copied, moved or checked by anyone.
@Suite("Closing the store")
struct CloseTests {
    /// Counts of the submissions in the database at `path`, read on a connection of its own.
    static func submissions(at path: String) throws -> Int {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions") ?? -1 }
    }

    @Test("close() waits for an ingest still queued behind the writer, then lets go of the file")
    func closeWaitsForQueuedIngest() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("live.sqlite").path
            let store = try SQLiteResultStore(path: path)
            _ = try await store.ingest(GroupCommitTests.distinct(0), receivedAt: receivedAt(0))

            // The writer is held, so the second ingest's batch waits in the drain task for the
            // writer, and the third waits in the batcher behind it (it is not yet anywhere
            // SQLite could see it); close() is called while both wait, and the writer is released
            // only once close() has begun. Closing the connections without waiting for the drain
            // task would close them under the third ingest.
            let gate = DispatchSemaphore(value: 0)
            let holding = Task {
                try await withCheckedThrowingContinuation { (entered: CheckedContinuation<Void, any Error>) in
                    Task {
                        do {
                            try await store.writer.write { _ in
                                entered.resume()
                                gate.wait()
                            }
                        } catch {
                            entered.resume(throwing: error)
                        }
                    }
                }
            }
            try await holding.value
            let second = GroupCommitTests.distinct(1)
            let third = GroupCommitTests.distinct(2)
            let queued = Task { try await store.ingest(second, receivedAt: receivedAt(1)) }
            while store.batcher.receivedCount < 2 { await Task.yield() }
            let queuedBehind = Task { try await store.ingest(third, receivedAt: receivedAt(2)) }
            while store.batcher.receivedCount < 3 { await Task.yield() }
            let closing = Task { try await store.close() }
            // Bounded, so that a close() that never tells the batcher fails below instead of
            // hanging here; a close() that does sets this as it begins.
            let deadline = ContinuousClock.now + .seconds(5)
            while !store.batcher.isClosed, ContinuousClock.now < deadline { await Task.yield() }
            gate.signal()

            #expect(try await queued.value == .created(machineID: second.machine.machineID))
            #expect(try await queuedBehind.value == .created(machineID: third.machine.machineID))
            try await closing.value
            // Nothing of the store has the file open any more, and the file alone is whole: a
            // plain file copy of it (what close() makes safe) holds all three submissions.
            #expect(try SQLiteResultStore.isInUse(at: path) == false)
            let copy = directory.appendingPathComponent("copy.sqlite").path
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            #expect(try Self.submissions(at: copy) == 3)

            // A closed store refuses work instead of reopening the file.
            await #expect(throws: DatabaseError.self) {
                _ = try await store.ingest(GroupCommitTests.distinct(3), receivedAt: receivedAt(3))
            }
            await #expect(throws: DatabaseError.self) { _ = try await store.machines(limit: 1, offset: 0) }
        }
    }

    @Test("a database copied through SQLite right after the last ingest returns holds every ingest")
    func copyThroughSQLite() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("template.sqlite").path
            let store = try SQLiteResultStore(path: path)
            for index in 0..<6 {
                _ = try await store.ingest(GroupCommitTests.distinct(index), receivedAt: receivedAt(index))
            }
            try await store.close()
            let copy = directory.appendingPathComponent("copy.sqlite").path
            try SQLiteResultStore.copyDatabase(at: path, to: copy)
            #expect(try Self.submissions(at: copy) == 6)
            #expect(try SQLiteResultStore.integrityProblems(at: copy).isEmpty)
            #expect(throws: BackupError.targetExists(copy)) { try SQLiteResultStore.copyDatabase(at: path, to: copy) }
        }
    }
}
