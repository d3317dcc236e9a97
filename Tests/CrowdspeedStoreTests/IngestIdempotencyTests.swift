import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

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

    @Test("the fingerprint follows the values, not their spelling on the wire")
    func fingerprintFollowsValues() throws {
        let submission = SubmissionFixture().build()
        let pretty = try WireCoding.makeEncoder(pretty: true).encode(submission)
        #expect(ContentHash.of(try Submission.decode(from: pretty)) == ContentHash.of(submission))

        // Every kind of field counts, and neighbouring fields cannot trade bytes.
        var changes: [Submission] = []
        var changed = submission
        changed.results[3].samples[7].cpuMs += 0.001
        changes.append(changed)
        changed = submission
        changed.results[0].samples[0].noisy = changed.results[0].samples[0].noisy == nil ? false : nil
        changes.append(changed)
        changed = submission
        changed.machine.cpuQuota = submission.machine.cpuQuota == nil ? 1.5 : nil
        changes.append(changed)
        changed = submission
        changed.agent = AgentInfo(
            name: submission.agent.name + submission.agent.version.prefix(1),
            version: String(submission.agent.version.dropFirst()))
        changes.append(changed)
        changed = submission
        changed.results.swapAt(0, 1)
        changes.append(changed)
        changed = submission
        changed.run = nil
        changes.append(changed)
        let fingerprints = Set(([submission] + changes).map(ContentHash.of))
        #expect(fingerprints.count == changes.count + 1)
    }

    @Test("a row fingerprinted by the older JSON scheme still tells a retry from a conflict")
    func legacyFingerprint() async throws {
        let submission = SubmissionFixture().build()
        var altered = submission
        altered.results[3].samples[7].cpuMs += 0.001
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            let legacy = try ContentHash.legacy(submission)
            #expect(legacy.hasPrefix("fnv1a64:"))
            try await store.writer.write { db in
                try db.execute(sql: "UPDATE submissions SET content_hash = ?", arguments: [legacy])
            }
            #expect(
                try await store.ingest(submission, receivedAt: receivedAt(1))
                    == .duplicate(machineID: submission.machine.machineID))
            await #expect(throws: StoreError.idConflict(submission.id)) {
                try await store.ingest(altered, receivedAt: receivedAt(2))
            }
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
            #expect(
                try await store.tableCounts() == ["machines": 0, "interpreters": 0, "submissions": 0, "results": 0])

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
