import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import Testing

/// The submission id is the idempotency key: retries store nothing twice, and a reused id with
/// other content is refused.
@Suite("Ingest idempotency and atomicity")
struct IngestIdempotencyTests {
    @Test("the same submission twice is stored once and answered as a duplicate")
    func duplicate() async throws {
        let submission = SubmissionFixture().build()
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            let before = try await store.tableCounts()
            let again = try await store.ingest(submission, receivedAt: receivedAt(5))
            #expect(again == .duplicate(machineID: submission.machine.machineID))
            #expect(try await store.tableCounts() == before)
            let machine = try #require(try await store.machine(id: submission.machine.machineID))
            #expect(machine.summary.submissionCount == 1)
            #expect(machine.summary.lastSeen == receivedAt(0), "a duplicate is not a new sighting")
            #expect(try await store.submission(id: submission.id)?.receivedAt == receivedAt(0))
        }
    }

    @Test("concurrent deliveries of one submission store it exactly once")
    func concurrentDuplicates() async throws {
        let submission = SubmissionFixture().build()
        try await withTemporaryStore { store in
            let outcomes = try await withThrowingTaskGroup(of: IngestOutcome.self) { group in
                for minute in 0..<6 {
                    group.addTask { try await store.ingest(submission, receivedAt: receivedAt(minute)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = outcomes.filter { if case .created = $0 { true } else { false } }
            #expect(created.count == 1)
            #expect(try await store.tableCounts()["submissions"] == 1)
        }
    }

    @Test("the same id with different content is a conflict and changes nothing")
    func conflict() async throws {
        let submission = SubmissionFixture().build()
        var altered = submission
        altered.results[3].samples[7].cpuMs += 0.001
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            let before = try await store.tableCounts()
            await #expect(throws: StoreError.idConflict(submission.id)) {
                try await store.ingest(altered, receivedAt: receivedAt(1))
            }
            #expect(try await store.tableCounts() == before)
            #expect(try await store.submission(id: submission.id)?.submission == submission)
        }
    }

    @Test("an ingest that fails halfway leaves nothing behind")
    func failedIngestIsRolledBack() async throws {
        // Two results with the same natural key pass every step up to the second results row,
        // where the UNIQUE constraint fails: machine, interpreter and submission rows are
        // already written inside the transaction by then.
        var broken = SubmissionFixture(id: UUID()).build()
        broken.results.append(broken.results[0])
        broken.interpreter.version = "7.3.99"
        try await withTemporaryStore { store in
            await #expect(throws: (any Error).self) {
                try await store.ingest(broken, receivedAt: receivedAt(0))
            }
            #expect(try await store.tableCounts() == ["machines": 0, "interpreters": 0, "submissions": 0, "results": 0])

            // And on a machine that already exists, its aggregates are untouched.
            let good = SubmissionFixture().build()
            _ = try await store.ingest(good, receivedAt: receivedAt(1))
            let before = try await store.tableCounts()
            let summaryBefore = try await store.machine(id: good.machine.machineID)?.summary
            await #expect(throws: (any Error).self) {
                try await store.ingest(broken, receivedAt: receivedAt(2))
            }
            #expect(try await store.tableCounts() == before)
            #expect(try await store.machine(id: good.machine.machineID)?.summary == summaryBefore)
            #expect(try await store.submission(id: broken.id) == nil)
        }
    }
}
