import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// Group commit (``IngestBatcher``): concurrent ingests share a transaction, each in its own
/// savepoint, and each caller gets its own outcome only after the commit.
///
/// Each test holds the writer with a blocking write, queues its submissions behind it (so they
/// must form one batch), then releases it: batching is forced, not left to timing.
@Suite("Group commit")
struct GroupCommitTests {
    /// Runs `ingests` while the writer is held, so that everything queued lands in batches
    /// behind it; returns each ingest's outcome (or error), in the order given.
    static func ingestHeld(
        _ store: SQLiteResultStore, _ ingests: [@Sendable () async throws -> IngestOutcome]
    ) async throws -> [Result<IngestOutcome, any Error>] {
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
        let queuedBefore = store.batcher.receivedCount
        return await withTaskGroup(of: (Int, Result<IngestOutcome, any Error>).self) { group in
            for (index, ingest) in ingests.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await ingest()))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            // Every ingest is queued (the first batch may already wait for the held writer).
            while store.batcher.receivedCount < queuedBefore + ingests.count { await Task.yield() }
            gate.signal()
            var results: [(Int, Result<IngestOutcome, any Error>)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// A submission of its own machine (memory sets the machine id).
    static func distinct(_ index: Int) -> Submission {
        var fixture = SubmissionFixture(id: UUID())
        fixture.machine.memoryBytes = Int64(index + 2) << 30
        return fixture.build()
    }

    @Test("concurrent ingests of distinct ids are all stored, in one batch")
    func distinctIDs() async throws {
        let submissions = (0..<12).map(Self.distinct)
        try await withTemporaryStore(configuration: .init(durability: .durable)) { store in
            let outcomes = try await Self.ingestHeld(
                store,
                submissions.map { submission in
                    { try await store.ingest(submission, receivedAt: receivedAt(0)) }
                })
            for (submission, outcome) in zip(submissions, outcomes) {
                #expect(try outcome.get() == .created(machineID: submission.machine.machineID))
                #expect(try await store.submission(id: submission.id)?.submission == submission)
            }
            #expect(try await store.tableCounts()["submissions"] == 12)
            // The first batch may have been taken (and wait for the held writer) before all
            // arrived; everything queued behind it is written together.
            let sizes = store.batcher.batchSizes
            #expect(sizes.reduce(0, +) == 12 && sizes.count <= 2, "queued ingests were written together: \(sizes)")
        }
    }

    @Test("a failing submission in a batch rolls back alone")
    func failureIsIsolated() async throws {
        // A repeated result breaks a UNIQUE constraint after the machine, interpreter and
        // submission rows were written in its savepoint.
        let broken = {
            var broken = Self.distinct(100)
            broken.results.append(broken.results[0])
            broken.interpreter.version = "7.3.99"
            return broken
        }()
        let stored = Self.distinct(200)
        let conflicting = {
            var conflicting = stored
            conflicting.results[2].samples[1].cpuMs += 0.5
            return conflicting
        }()
        let good = (0..<6).map(Self.distinct)
        try await withTemporaryStore { store in
            _ = try await store.ingest(stored, receivedAt: receivedAt(0))
            let ingests: [@Sendable () async throws -> IngestOutcome] =
                [
                    { try await store.ingest(good[0], receivedAt: receivedAt(1)) },
                    { try await store.ingest(broken, receivedAt: receivedAt(1)) },
                    { try await store.ingest(good[1], receivedAt: receivedAt(1)) },
                    { try await store.ingest(conflicting, receivedAt: receivedAt(1)) },
                ]
                + good.dropFirst(2).map { submission in
                    { try await store.ingest(submission, receivedAt: receivedAt(1)) }
                }
            let outcomes = try await Self.ingestHeld(store, ingests)
            #expect(throws: (any Error).self) { try outcomes[1].get() }
            #expect(throws: StoreError.idConflict(stored.id)) { try outcomes[3].get() }
            for submission in good {
                #expect(try await store.submission(id: submission.id)?.submission == submission)
            }
            #expect(try await store.submission(id: broken.id) == nil)
            #expect(
                try await store.machine(id: broken.machine.machineID) == nil,
                "the broken one's machine row was rolled back")
            #expect(try await store.submission(id: stored.id)?.submission == stored)
            #expect(try await store.tableCounts()["submissions"] == 1 + good.count)
        }
    }

    @Test("the same submission twice in one batch is stored once")
    func duplicatesInOneBatch() async throws {
        let submission = Self.distinct(7)
        let other = Self.distinct(8)
        try await withTemporaryStore { store in
            let outcomes = try await Self.ingestHeld(
                store,
                [
                    { try await store.ingest(other, receivedAt: receivedAt(0)) },
                    { try await store.ingest(submission, receivedAt: receivedAt(0)) },
                    { try await store.ingest(submission, receivedAt: receivedAt(1)) },
                ])
            let machineID = submission.machine.machineID
            // Whichever was queued first is created; the other finds it in the same transaction.
            let pair = try [outcomes[1].get(), outcomes[2].get()]
            #expect(pair.contains(.created(machineID: machineID)))
            #expect(pair.contains(.duplicate(machineID: machineID)))
            #expect(try await store.tableCounts()["submissions"] == 2)
            #expect(try await store.machine(id: machineID)?.summary.submissionCount == 1)
        }
    }

    @Test("an acknowledged ingest is committed: another connection sees it at once")
    func acknowledgedIsCommitted() async throws {
        let submissions = (0..<8).map(Self.distinct)
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("ack.sqlite").path
            let store = try SQLiteResultStore(path: path, configuration: .init(durability: .durable))
            // An independent connection, outside the store's pool: it sees only committed data.
            let observer = try DatabaseQueue(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for submission in submissions {
                    group.addTask {
                        _ = try await store.ingest(submission, receivedAt: receivedAt(0))
                        let seen = try await observer.read { db in
                            try Int.fetchOne(
                                db, sql: "SELECT count(*) FROM submissions WHERE id = ?",
                                arguments: [submission.id.storeText])
                        }
                        #expect(seen == 1)
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}
