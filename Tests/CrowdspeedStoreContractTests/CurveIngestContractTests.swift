import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// The curves an ingest stores and the machine-key windows it extends, in the submission's
/// transaction, on every backend.
@Suite("Curve ingest contract")
struct CurveIngestContractTests {
    /// One curve with a missing cell (NaN must survive).
    static func aggregate(procs: Int, ratio: Double = 1.1) -> WorkloadCurve {
        WorkloadCurve(
            benchmark: "gcbench", benchmarkVersion: "1", procs: procs,
            curve: Curve(
                nurseries: [1 << 20, 8 << 20], roundIDs: [0, 1], roundRatios: [ratio, .nan, 1.05, 0.8],
                defaultNurseryBytes: 256 << 10))
    }

    @Test(
        "windows combine a machine's curves by key, pinned runs apart; refit counters follow the scopes",
        arguments: StoreBackend.allCases)
    func windows(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkWindows(store, inspector) }
    }

    private func checkWindows(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let machineID = SubmissionFixture.epyc2Core.machineID
        let curves = [Self.aggregate(procs: 1), Self.aggregate(procs: 2)]
        let first = try await store.ingest(
            SubmissionFixture(rounds: 3).build(), receivedAt: receivedAt(0), credentials: nil, curves: curves)
        #expect(first.curveWindows.map(\.revision) == [1, 1])
        #expect(first.curveWindows.map(\.submissionCount) == [1, 1])
        let second = try await store.ingest(
            SubmissionFixture(id: UUID(), source: .synthetic, rounds: 3, seed: 2).build(), receivedAt: receivedAt(1),
            credentials: nil, curves: [Self.aggregate(procs: 1, ratio: 1.3), Self.aggregate(procs: 2)])
        #expect(second.curveWindows.map(\.key.procs) == [1, 2])
        #expect(second.curveWindows.map(\.revision) == [2, 2])
        #expect(second.curveWindows.allSatisfy { $0.submissionCount == 2 && $0.updatedAt == receivedAt(1) })
        let expected = CurveCombiner.appending(
            Self.aggregate(procs: 1, ratio: 1.3).curve, to: Self.aggregate(procs: 1).curve)
        #expect(second.curveWindows[0].curve.roundRatios.map(\.bitPattern) == expected.roundRatios.map(\.bitPattern))
        #expect(second.curveWindows[0].curve.roundIDs == expected.roundIDs)
        // What the ingest returned is what it stored, byte for byte.
        let stored = try await inspector.windows(machineID: machineID)
        #expect(stored.map(\.procs) == [1, 2])
        #expect(stored.map(\.revision) == second.curveWindows.map(\.revision))
        #expect(stored.map(\.roundRatios) == second.curveWindows.map { CurveBlob.encode($0.curve.roundRatios) })
        #expect(stored.map(\.nurseries) == second.curveWindows.map { CurveBlob.encode($0.curve.nurseries) })
        #expect(try await inspector.count("curves") == 4)
        #expect(try await inspector.fitSubmissions(scope: "real") == 1)
        #expect(try await inspector.fitSubmissions(scope: "synthetic") == 2)

        // A run with PYPY_GC_MIN pinned gets a window of its own and never makes a refit due.
        var pinned = SubmissionFixture(id: UUID(), rounds: 3, seed: 3).build()
        pinned.run?.pypyGCMin = "64M"
        let pinnedResult = try await store.ingest(
            pinned, receivedAt: receivedAt(2), credentials: nil, curves: [Self.aggregate(procs: 1)])
        #expect(pinnedResult.curveWindows.map(\.key.pypyGCMinPinned) == [true])
        #expect(pinnedResult.curveWindows.map(\.revision) == [1])
        #expect(try await inspector.windows(machineID: machineID).count == 3)
        #expect(try await inspector.fitSubmissions(scope: "real") == 1)

        // A duplicate extends nothing.
        let duplicate = try await store.ingest(
            pinned, receivedAt: receivedAt(3), credentials: nil, curves: [Self.aggregate(procs: 1)])
        #expect(duplicate.curveWindows.isEmpty)
        #expect(try await inspector.count("curves") == 5)
    }

    @Test("the fingerprint follows the values, not their spelling on the wire", arguments: StoreBackend.allCases)
    func prettyRetry(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkPrettyRetry(store) }
    }

    private func checkPrettyRetry(_ store: some ResultStore) async throws {
        let submission = SubmissionFixture().build()
        _ = try await store.ingest(submission, receivedAt: receivedAt(0))
        let pretty = try Submission.decode(from: try WireCoding.makeEncoder(pretty: true).encode(submission))
        #expect(
            try await store.ingest(pretty, receivedAt: receivedAt(1))
                == .duplicate(machineID: submission.machine.machineID))
    }
}
