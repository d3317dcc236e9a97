import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// ``CurveStore`` on both backends: windows written by ingest are found stale until their
/// summary is saved, a summary of an older revision never replaces a newer one, and a summary of
/// a window that is gone is not stored.
@Suite("Curve store contract", .timeLimit(.minutes(2)))
struct CurveStoreContractTests {
    @Test(
        "stale, then summarized, then not stale; an older revision never overwrites a newer one",
        arguments: StoreBackend.allCases)
    func summariesFollowRevisions(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            let epyc = ReadScenario.epyc
            let first = SubmissionFixture(id: ReadScenario.ids[0]).build()
            let older = try #require(
                try await store.ingest(
                    first, receivedAt: receivedAt(0), credentials: nil,
                    curves: [ReadScenario.curve(procs: 1, shift: 0)]
                ).curveWindows.first)
            #expect(try await store.staleCurveWindows(machineID: epyc, limit: 10) == [older])
            let second = SubmissionFixture(id: ReadScenario.ids[1], seed: 7).build()
            let newer = try #require(
                try await store.ingest(
                    second, receivedAt: receivedAt(1), credentials: nil,
                    curves: [ReadScenario.curve(procs: 1, shift: 0.05)]
                ).curveWindows.first)
            #expect(newer.revision == older.revision + 1 && newer.submissionCount == 2)
            #expect(try await store.staleCurveWindows(machineID: epyc, limit: 10) == [newer])
            #expect(try await store.staleCurveWindows(machineID: "no-such-machine", limit: 10).isEmpty)
            #expect(try await store.staleCurveWindows(machineID: nil, limit: 0).isEmpty)

            try await store.saveCurveSummary(ReadScenario.summary(newer), of: newer)
            // A slower computation from the older window arrives last: it must not win.
            try await store.saveCurveSummary(ReadScenario.summary(older), of: older)
            let curves = try await store.machineCurves(machineID: epyc)
            #expect(curves.count == 1)
            #expect(curves.first?.key == newer.key)
            #expect(curves.first?.summary == ReadScenario.summary(newer))
            #expect(curves.first?.updatedAt == receivedAt(1))
            #expect(try await store.staleCurveWindows(machineID: nil, limit: 10).isEmpty)

            // A third submission makes the window stale again; the shown summary stays until then.
            let third = SubmissionFixture(id: ReadScenario.ids[2], seed: 8).build()
            _ = try await store.ingest(
                third, receivedAt: receivedAt(2), credentials: nil, curves: [ReadScenario.curve(procs: 1, shift: 0.1)])
            let stale = try await store.staleCurveWindows(machineID: epyc, limit: 10)
            #expect(stale.map(\.revision) == [newer.revision + 1])
            #expect(try await store.machineCurves(machineID: epyc).map(\.summary) == [ReadScenario.summary(newer)])
        }
    }

    @Test("a summary of a window that is gone is not stored", arguments: StoreBackend.allCases)
    func goneWindowKeepsNoSummary(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            let submission = SubmissionFixture(id: ReadScenario.ids[0], machine: SubmissionFixture.i7).build()
            let window = try #require(
                try await store.ingest(
                    submission, receivedAt: receivedAt(0), credentials: nil,
                    curves: [ReadScenario.curve(procs: 1, shift: 0)]
                ).curveWindows.first)
            // Quarantining the only submission removes its key's window.
            #expect(
                try await store.setQuarantine(
                    .submission(submission.id), quarantined: true, reason: "test", actor: "test", at: receivedAt(1))
                    == .changed)
            try await store.saveCurveSummary(ReadScenario.summary(window), of: window)
            #expect(try await store.machineCurves(machineID: ReadScenario.i7).isEmpty)
            #expect(try await store.staleCurveWindows(machineID: nil, limit: 10).isEmpty)
        }
    }

    @Test("machine curves come in interpreter, workload, pinning and procs order", arguments: StoreBackend.allCases)
    func machineCurvesOrder(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            try await ReadScenario.summarizeAll(store)
            let curves = try await store.machineCurves(machineID: ReadScenario.epyc)
            #expect(curves.map(\.key.pypyGCMinPinned) == [false, false, true])
            #expect(curves.map(\.key.procs) == [1, 2, 1])
            // Submissions 0 and 2 (agent and synthetic) share the unpinned procs = 1 key.
            #expect(curves.map(\.summary.submissionCount) == [2, 1, 1])
            #expect(curves.first?.updatedAt == receivedAt(2))
        }
    }
}
