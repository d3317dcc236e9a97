import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import Testing
import CrowdspeedStoreTestSupport

/// Ingest then read back: what the server stores is what the agent sent, to the bit.
@Suite("Store round trip")
struct StoreRoundTripTests {
    @Test("a realistic sweep reads back equal, samples bit for bit")
    func roundTrip() async throws {
        let submission = SubmissionFixture().build()
        #expect(submission.results.reduce(0) { $0 + $1.samples.count } == 380)
        #expect(submission.validationIssues(now: receivedAt(0)).isEmpty, "the fixture must be a valid submission")
        try await withTemporaryStore { store in
            let outcome = try await store.ingest(submission, receivedAt: receivedAt(0))
            #expect(outcome == .created(machineID: submission.machine.machineID))
            let stored = try #require(try await store.submission(id: submission.id))
            #expect(stored.submission == submission)
            #expect(stored.machineID == submission.machine.machineID)
            #expect(stored.receivedAt == receivedAt(0))
            // `==` on Double treats 0.0 and -0.0 alike; compare bit patterns too.
            for (read, sent) in zip(stored.submission.results, submission.results) {
                #expect(read.samples.map(\.cpuMs.bitPattern) == sent.samples.map(\.cpuMs.bitPattern))
                #expect(read.samples.map(\.foreignLoad.bitPattern) == sent.samples.map(\.foreignLoad.bitPattern))
            }
        }
    }

    @Test("a submission decoded from wire JSON reads back equal, dates included")
    func wireRoundTrip() async throws {
        let json = try WireCoding.makeEncoder().encode(SubmissionFixture(createdAt: "2026-11-25T18:00:02.002Z").build())
        let submission = try WireCoding.makeDecoder().decode(Submission.self, from: json)
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            let stored = try #require(try await store.submission(id: submission.id))
            #expect(stored.submission == submission)
            #expect(
                try WireCoding.makeEncoder().encode(stored.submission) == WireCoding.makeEncoder().encode(submission))
        }
    }

    @Test("optional parts absent on the wire stay absent: no run info, no quota, no cpuinfo cache")
    func optionalsStayAbsent() async throws {
        var fixture = SubmissionFixture(source: .import, includeRun: false)
        fixture.machine.cpuQuota = nil
        fixture.machine.cpuinfoCacheBytes = nil
        let submission = fixture.build()
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            let stored = try #require(try await store.submission(id: submission.id))
            #expect(stored.submission == submission)
            #expect(stored.submission.run == nil)
        }
    }

    @Test("a run seed above Int64.max survives the signed SQLite integer")
    func largeSeed() async throws {
        var submission = SubmissionFixture().build()
        submission.run?.seed = UInt64.max - 7
        try await withTemporaryStore { store in
            _ = try await store.ingest(submission, receivedAt: receivedAt(0))
            #expect(try await store.submission(id: submission.id)?.submission.run?.seed == UInt64.max - 7)
        }
    }

    @Test("an unknown id reads as nil")
    func unknownID() async throws {
        try await withTemporaryStore { store in
            let submission = try await store.submission(id: UUID())
            let machine = try await store.machine(id: "m-0000000000000000")
            #expect(submission == nil)
            #expect(machine == nil)
        }
    }

    @Test("the in-memory store behaves like the file store")
    func inMemory() async throws {
        let store = try SQLiteResultStore.inMemory()
        let submission = SubmissionFixture().build()
        _ = try await store.ingest(submission, receivedAt: receivedAt(0))
        #expect(try await store.submission(id: submission.id)?.submission == submission)
    }
}
