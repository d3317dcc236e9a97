import CrowdspeedCore
import CrowdspeedFit
import Foundation
import GRDB
import Testing
import CrowdspeedStoreTestSupport

@testable import CrowdspeedStore

/// The fitting aggregates the store keeps at ingest: curve rows with NaN-preserving blobs, the
/// refit counters per scope, and each machine key's window, maintained in the same transaction as
/// the submission, deletion or moderation that changes it.
@Suite("Curve aggregates")
struct CurveAggregateTests {
    /// One curve with a missing cell.
    static func aggregate(procs: Int = 1) -> WorkloadCurve {
        WorkloadCurve(
            benchmark: "gcbench", benchmarkVersion: "1", procs: procs,
            curve: Curve(
                nurseries: [1 << 20, 8 << 20], roundIDs: [0, 1], roundRatios: [1.1, .nan, 1.05, 0.8],
                defaultNurseryBytes: 256 << 10))
    }

    @Test("curves round-trip with NaN intact, counters follow the scopes, windows combine submissions")
    func ingestMaintainsAggregates() async throws {
        try await withTemporaryStore { store in
            var first = SubmissionFixture()
            first.source = .agent
            let stored = try await store.ingest(
                first.build(), receivedAt: receivedAt(0), credentials: nil,
                curves: [Self.aggregate(procs: 1), Self.aggregate(procs: 2)])
            #expect(stored.curveWindows.map(\.revision) == [1, 1])
            var second = SubmissionFixture()
            second.id = UUID()
            second.source = .synthetic
            let outcome = try await store.ingest(
                second.build(), receivedAt: receivedAt(1), credentials: nil,
                curves: [Self.aggregate(procs: 1), Self.aggregate(procs: 2)])
            let machineID = try #require({ if case .created(let id) = outcome.outcome { id } else { nil } }())

            let snapshot = try await store.fitSnapshot(scope: .synthetic, benchmark: "gcbench", implementation: "PyPy")
            #expect(snapshot.curves.count == 4)
            #expect(snapshot.submissions == 2)
            #expect(snapshot.curves[0].aggregate == Self.aggregate(procs: 1))
            #expect(snapshot.curves[0].aggregate.curve.roundRatios[1].isNaN)
            #expect(snapshot.curves[0].l2Bytes == 512 << 10 && snapshot.curves[0].cpuModel == "AMD EPYC 7B13")
            let real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            #expect(real.curves.count == 2 && real.curves.allSatisfy { $0.source == .agent })
            #expect(real.submissions == 1)
            #expect(try await store.fitState(scope: .real) == FitState(submissions: 1, latestVersion: nil, pending: 1))

            let windows = try await store.windows(machineID: machineID)
            #expect(windows.map(\.key.procs) == [1, 2])
            #expect(windows[0].submissionCount == 2 && windows[0].revision == 2)
            #expect(windows[0].curve == CurveCombiner.combine([Self.aggregate().curve, Self.aggregate().curve]))
            #expect(windows[0].updatedAt == receivedAt(1))
            #expect(outcome.curveWindows == windows)
            // Nothing summarized them yet: both are behind, and the machine has no curves to show.
            #expect(try await store.staleCurveWindows(machineID: machineID, limit: 10).count == 2)
            #expect(try await store.machineCurves(machineID: machineID).isEmpty)
        }
    }

    @Test("a summary is stored only for the newest window revision, and only while the window exists")
    func summariesFollowRevisions() async throws {
        try await withTemporaryStore { store in
            let submission = SubmissionFixture().build()
            let first = try await store.ingest(
                submission, receivedAt: receivedAt(0), credentials: nil, curves: [Self.aggregate()])
            var again = SubmissionFixture()
            again.id = UUID()
            let second = try await store.ingest(
                again.build(), receivedAt: receivedAt(1), credentials: nil, curves: [Self.aggregate()])
            let older = try #require(first.curveWindows.first)
            let newer = try #require(second.curveWindows.first)
            func summary(_ window: CurveWindow) -> MachineCurveSummary {
                MachineCurveSummary.summarize(window.curve, submissionCount: window.submissionCount, seed: 1)
            }
            try await store.saveCurveSummary(summary(newer), of: newer)
            // A slower computation from the older window arrives last: it must not win.
            try await store.saveCurveSummary(summary(older), of: older)
            let curves = try await store.machineCurves(machineID: submission.machine.machineID)
            #expect(curves.count == 1 && curves[0].summary == summary(newer))
            #expect(try await store.staleCurveWindows(machineID: nil, limit: 10).isEmpty)
        }
    }

    @Test("runs with PYPY_GC_MIN pinned are stored apart and never make a refit due")
    func pinnedRuns() async throws {
        try await withTemporaryStore { store in
            let submission = SubmissionFixture().build()
            var pinned = submission
            pinned.run?.pypyGCMin = "64M"
            _ = try await store.ingest(pinned, receivedAt: receivedAt(0), credentials: nil, curves: [Self.aggregate()])
            #expect(try await store.fitState(scope: .real).submissions == 0)
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.isEmpty)
            let windows = try await store.windows(machineID: submission.machine.machineID)
            #expect(windows.count == 1 && windows[0].key.pypyGCMinPinned)
        }
    }

    @Test("formulas are versioned across scopes; the newest of a scope is served")
    func formulaVersions() async throws {
        try await withTemporaryStore { store in
            func formula(_ scope: FormulaScope, _ input: Int) -> NewFormula {
                NewFormula(
                    scope: scope, createdAt: receivedAt(input), inputSubmissions: input,
                    metrics: FormulaMetrics(
                        globalName: "constant", globalText: "nursery = 8M", heldOutRegret: 0.01, pypyDefaultRegret: 0.2,
                        bestConstantRegret: 0.02, noiseFloor: nil, gainOverDefault: .nan, machines: 3, curves: 5,
                        cpuModels: 2),
                    fitMilliseconds: 1.5, reportJSON: "{}", intervalsJSON: "{}")
            }
            #expect(try await store.latestFormula(scope: .real) == nil)
            #expect(try await store.insertFormula(formula(.real, 0)) == 1)
            #expect(try await store.insertFormula(formula(.synthetic, 0)) == 2)
            #expect(try await store.insertFormula(formula(.real, 0)) == 3)
            #expect(try await store.latestFormulaVersion(scope: .real) == 3)
            #expect(try await store.latestFormula(scope: .synthetic)?.summary.version == 2)
            #expect(try await store.formulaHistory(scope: .real, limit: 10).map(\.version) == [3, 1])
            #expect(try await store.formulaHistory(scope: nil, limit: 2).map(\.version) == [3, 2])
            let stored = try #require(try await store.formula(version: 1))
            #expect(stored.summary.metrics.gainOverDefault == nil)
            #expect(stored.summary.sources == "agent,import")
        }
    }

    @Test("quarantined machines leave the fit; windows are rebuilt from what a deletion leaves")
    func quarantineAndDeletion() async throws {
        try await withTemporaryStore { store in
            let (credentials, _, deletionToken) = TestCredentials.make()
            let first = SubmissionFixture().build()
            var secondFixture = SubmissionFixture()
            secondFixture.id = UUID()
            let second = secondFixture.build()
            _ = try await store.ingest(first, receivedAt: receivedAt(0), credentials: nil, curves: [Self.aggregate()])
            _ = try await store.ingest(
                second, receivedAt: receivedAt(1), credentials: credentials, curves: [Self.aggregate()])
            let machineID = first.machine.machineID
            #expect(try await store.windows(machineID: machineID).first?.submissionCount == 2)

            _ = try await store.setQuarantine(
                .machine(machineID), quarantined: true, reason: "test", actor: "test", at: receivedAt(2))
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.isEmpty)
            _ = try await store.setQuarantine(
                .machine(machineID), quarantined: false, reason: nil, actor: "test", at: receivedAt(3))
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.count
                    == 2)

            let outcome = try await store.deleteSubmission(
                id: second.id, deletionTokenHash: SecretToken.digest(deletionToken), at: receivedAt(4))
            #expect(outcome == .deleted(machineID: machineID, machineRemoved: false))
            let windows = try await store.windows(machineID: machineID)
            #expect(windows.count == 1 && windows[0].submissionCount == 1 && windows[0].updatedAt == receivedAt(0))
            #expect(windows[0].curve == Self.aggregate().curve)
        }
    }

    @Test("a quarantined submission or install leaves its machine's window until released")
    func quarantineRebuildsWindows() async throws {
        try await withTemporaryStore { store in
            let (credentials, installToken, _) = TestCredentials.make()
            var fixture = SubmissionFixture()
            let first = fixture.build()
            fixture.id = UUID()
            let second = fixture.build()
            let stored = try await store.ingest(
                first, receivedAt: receivedAt(0), credentials: credentials, curves: [Self.aggregate()])
            _ = try await store.ingest(
                second, receivedAt: receivedAt(1), credentials: TestCredentials.make(presenting: installToken).0,
                curves: [Self.aggregate()])
            let machineID = first.machine.machineID
            func counted() async throws -> Int? {
                try await store.windows(machineID: machineID).first?.submissionCount
            }
            #expect(try await counted() == 2)

            _ = try await store.setQuarantine(
                .submission(second.id), quarantined: true, reason: nil, actor: "test", at: receivedAt(2))
            #expect(try await counted() == 1)
            // The next ingest on the machine keeps it out too.
            var third = SubmissionFixture()
            third.id = UUID()
            _ = try await store.ingest(
                third.build(), receivedAt: receivedAt(3), credentials: nil, curves: [Self.aggregate()])
            #expect(try await counted() == 2)
            _ = try await store.setQuarantine(
                .submission(second.id), quarantined: false, reason: nil, actor: "test", at: receivedAt(4))
            #expect(try await counted() == 3)

            // The install sent the first two: quarantining it leaves the third alone, and what it
            // sends next stays out; with every curve of the key hidden the window and its summary
            // go, and release brings them back.
            let install = ModerationTarget.install(try #require(stored.installID))
            _ = try await store.setQuarantine(install, quarantined: true, reason: nil, actor: "test", at: receivedAt(5))
            #expect(try await counted() == 1)
            fixture.id = UUID()
            let late = try await store.ingest(
                fixture.build(), receivedAt: receivedAt(6),
                credentials: TestCredentials.make(presenting: installToken).0, curves: [Self.aggregate()])
            #expect(late.curveWindows.isEmpty)
            #expect(try await counted() == 1)
            _ = try await store.setQuarantine(
                .submission(third.id), quarantined: true, reason: nil, actor: "test", at: receivedAt(7))
            #expect(try await store.windows(machineID: machineID).isEmpty)
            _ = try await store.setQuarantine(
                install, quarantined: false, reason: nil, actor: "test", at: receivedAt(8))
            #expect(try await counted() == 3)
        }
    }
}

extension SQLiteResultStore {
    /// The stored windows of `machineID`, by key.
    func windows(machineID: String) async throws -> [CurveWindow] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM curve_windows WHERE machine_id = ?
                    ORDER BY implementation, interpreter_version, benchmark, benchmark_version, pypy_gc_min_pinned, procs
                    """, arguments: [machineID]
            ).map(SQLiteResultStore.curveWindow)
        }
    }
}
