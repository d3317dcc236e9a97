import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import Testing
import CrowdspeedStoreTestSupport

/// The machines list reads the aggregates kept at ingest; they must match what was ingested.
@Suite("Machine aggregates and pagination")
struct MachineAggregateTests {
    /// Four submissions on the EPYC (received at minutes 10, 30, 20 — one late from a spool —
    /// and with an OS upgrade at 30) and one on the i7 at minute 40.
    private func ingestHistory(into store: SQLiteResultStore) async throws {
        var upgraded = SubmissionFixture.epyc2Core
        upgraded.osVersion = "Debian 13"
        upgraded.kernel = "6.12.0-1-amd64"
        let epyc = [
            (SubmissionFixture(id: UUID(), seed: 1), 10),
            (SubmissionFixture(id: UUID(), machine: upgraded, seed: 2), 30),
            (SubmissionFixture(id: UUID(), seed: 3), 20),
        ]
        for (fixture, minute) in epyc {
            _ = try await store.ingest(fixture.build(), receivedAt: receivedAt(minute))
        }
        let cpython = InterpreterInfo(
            implementation: "CPython", version: "3.11.2", languageVersion: "3.11.2", executable: "python3")
        _ = try await store.ingest(
            SubmissionFixture(id: UUID(), machine: SubmissionFixture.i7, interpreter: cpython, seed: 4).build(),
            receivedAt: receivedAt(40))
    }

    @Test("counts, first and last seen, and the latest hardware")
    func aggregates() async throws {
        try await withTemporaryStore { store in
            try await ingestHistory(into: store)
            let epycID = SubmissionFixture.epyc2Core.machineID
            let detail = try #require(try await store.machine(id: epycID))
            #expect(detail.summary.submissionCount == 3)
            #expect(detail.summary.firstSeen == receivedAt(10))
            #expect(detail.summary.lastSeen == receivedAt(30))
            #expect(
                detail.hardware.osVersion == "Debian 13", "hardware follows the latest receipt, not the last ingest")
            #expect(detail.summary.l2Bytes == 512 << 10)
            #expect(detail.summary.l3Bytes == 32 << 20)
            #expect(detail.summary.cpuinfoCacheBytes == 512 << 10)
            #expect(detail.submissions.map(\.receivedAt) == [receivedAt(30), receivedAt(20), receivedAt(10)])
            #expect(detail.submissions.allSatisfy { $0.resultCount == 28 && $0.sampleCount == 380 })
            #expect(
                detail.submissions.allSatisfy {
                    $0.interpreter.implementation == "PyPy" && $0.interpreter.executable == "pypy3"
                })
            #expect(try await store.tableCounts()["interpreters"] == 2)
        }
    }

    @Test("pages are ordered by last seen, newest first, with the total")
    func pagination() async throws {
        try await withTemporaryStore { store in
            try await ingestHistory(into: store)
            let first = try await store.machines(limit: 1, offset: 0)
            #expect(first.total == 2)
            #expect(first.machines.map(\.id) == [SubmissionFixture.i7.machineID])
            #expect(first.machines.first?.l2Bytes == 256 << 10)
            let second = try await store.machines(limit: 1, offset: 1)
            #expect(second.machines.map(\.id) == [SubmissionFixture.epyc2Core.machineID])
            #expect(second.machines.first?.submissionCount == 3)
            let beyond = try await store.machines(limit: 10, offset: 2)
            #expect(beyond.machines.isEmpty && beyond.total == 2)
            let all = try await store.machines(limit: 10, offset: 0)
            #expect(all.machines.map(\.lastSeen) == [receivedAt(40), receivedAt(30)])
        }
    }

    @Test("an empty store has an empty first page")
    func empty() async throws {
        try await withTemporaryStore { store in
            let page = try await store.machines(limit: 20, offset: 0)
            #expect(page == MachinePage(machines: [], total: 0, limit: 20, offset: 0))
        }
    }
}
