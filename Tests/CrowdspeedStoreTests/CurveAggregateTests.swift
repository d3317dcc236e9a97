import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing

/// The fitting aggregates the store keeps at ingest: curve rows with NaN-preserving blobs, the
/// refit counters per scope, and the machine curves rewritten by the summarizer in the same
/// transaction.
@Suite("Curve aggregates")
struct CurveAggregateTests {
    /// A summarizer that records what it saw: the number of curves and the rounds in total.
    struct CountingSummarizer: CurveSummarizer {
        func summarize(_ curves: [StoredCurve]) -> MachineCurveSummary {
            let rounds = curves.reduce(0) { $0 + $1.aggregate.roundIDs.count }
            return MachineCurveSummary(
                submissionCount: Set(curves.map(\.submissionID)).count, roundCount: rounds,
                defaultNurseryBytes: curves.last?.aggregate.defaultNurseryBytes,
                points: [MachineCurvePoint(nurseryBytes: 8 << 20, relativeTime: 0.8, rounds: rounds)],
                best: BestNursery(
                    nurseryBytes: 8 << 20, relativeTime: 0.8, intervalLowerBytes: 4 << 20, intervalUpperBytes: 16 << 20,
                    confidence: 0.95),
                flatSet: [4 << 20, 8 << 20], defaultInFlatSet: false, gainOverDefault: 0.25)
        }
    }

    /// One curve with a missing cell.
    static func aggregate(procs: Int = 1) -> CurveAggregate {
        CurveAggregate(
            benchmark: "gcbench", benchmarkVersion: "1", procs: procs, nurseries: [1 << 20, 8 << 20], roundIDs: [0, 1],
            roundRatios: [1.1, .nan, 1.05, 0.8], defaultNurseryBytes: 256 << 10)
    }

    @Test("curves round-trip with NaN intact, counters follow the scopes, machine curves combine submissions")
    func ingestMaintainsAggregates() async throws {
        try await withTemporaryStore { store in
            let aggregates = IngestAggregates(
                curves: [Self.aggregate(procs: 1), Self.aggregate(procs: 2)], summarizer: CountingSummarizer())
            var first = SubmissionFixture()
            first.source = .agent
            _ = try await store.ingest(
                first.build(), receivedAt: receivedAt(0), credentials: nil, aggregates: aggregates)
            var second = SubmissionFixture()
            second.id = UUID()
            second.source = .synthetic
            let outcome = try await store.ingest(
                second.build(), receivedAt: receivedAt(1), credentials: nil, aggregates: aggregates)
            let machineID = try #require({ if case .created(let id) = outcome.outcome { id } else { nil } }())

            let snapshot = try await store.fitSnapshot(scope: .synthetic, benchmark: "gcbench", implementation: "PyPy")
            #expect(snapshot.curves.count == 4)
            #expect(snapshot.submissions == 2)
            #expect(snapshot.curves[0].aggregate == Self.aggregate(procs: 1))
            #expect(snapshot.curves[0].aggregate.roundRatios[1].isNaN)
            #expect(snapshot.curves[0].l2Bytes == 512 << 10 && snapshot.curves[0].cpuModel == "AMD EPYC 7B13")
            let real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            #expect(real.curves.count == 2 && real.curves.allSatisfy { $0.source == .agent })
            #expect(real.submissions == 1)
            #expect(try await store.fitState(scope: .real) == FitState(submissions: 1, latestVersion: nil, pending: 1))

            let curves = try await store.machineCurves(machineID: machineID)
            #expect(curves.map(\.key.procs) == [1, 2])
            #expect(curves[0].summary.submissionCount == 2)
            #expect(curves[0].summary.roundCount == 4)
            #expect(curves[0].summary.best?.intervalUpperBytes == 16 << 20)
            #expect(curves[0].updatedAt == receivedAt(1))
            // The machine detail carries them too.
            #expect(try await store.machine(id: machineID)?.curves == curves)
        }
    }

    @Test("runs with PYPY_GC_MIN pinned are stored apart and never make a refit due")
    func pinnedRuns() async throws {
        try await withTemporaryStore { store in
            let submission = SubmissionFixture().build()
            var pinned = submission
            pinned.run?.pypyGCMin = "64M"
            let aggregates = IngestAggregates(curves: [Self.aggregate()], summarizer: CountingSummarizer())
            _ = try await store.ingest(pinned, receivedAt: receivedAt(0), credentials: nil, aggregates: aggregates)
            #expect(try await store.fitState(scope: .real).submissions == 0)
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.isEmpty)
            let curves = try await store.machineCurves(machineID: submission.machine.machineID)
            #expect(curves.count == 1 && curves[0].key.pypyGCMinPinned)
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
    @Test("quarantined machines leave the fit; summaries are rebuilt from what a deletion leaves")
    func quarantineAndDeletion() async throws {
        try await withTemporaryStore { store in
            let aggregates = IngestAggregates(curves: [Self.aggregate()], summarizer: CountingSummarizer())
            let first = SubmissionFixture().build()
            var secondFixture = SubmissionFixture()
            secondFixture.id = UUID()
            let second = secondFixture.build()
            _ = try await store.ingest(first, receivedAt: receivedAt(0), credentials: nil, aggregates: aggregates)
            _ = try await store.ingest(second, receivedAt: receivedAt(1), credentials: nil, aggregates: aggregates)
            let machineID = first.machine.machineID
            #expect(try await store.machineCurves(machineID: machineID).first?.summary.submissionCount == 2)

            _ = try await store.setQuarantine(
                .machine(machineID), quarantined: true, reason: "test", actor: "test", at: receivedAt(2),
                summarizer: CurveAggregateTests.CountingSummarizer())
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.isEmpty)
            _ = try await store.setQuarantine(
                .machine(machineID), quarantined: false, reason: nil, actor: "test", at: receivedAt(3),
                summarizer: CurveAggregateTests.CountingSummarizer())
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy").curves.count
                    == 2)

            try await store.writer.write { db in
                try db.execute(
                    sql: "DELETE FROM submissions WHERE id = ?", arguments: [second.id.uuidString.lowercased()])
            }
            try await store.refreshMachineCurves(
                machineID: machineID, summarizer: CountingSummarizer(), at: receivedAt(4))
            let curves = try await store.machineCurves(machineID: machineID)
            #expect(curves.count == 1 && curves[0].summary.submissionCount == 1 && curves[0].updatedAt == receivedAt(0))
        }
    }

    @Test("a quarantined submission or install leaves its machine's curves until released")
    func quarantineRebuildsMachineCurves() async throws {
        try await withTemporaryStore { store in
            let aggregates = IngestAggregates(curves: [Self.aggregate()], summarizer: CountingSummarizer())
            let (credentials, installToken, _) = TrustStoreTests.credentials()
            var fixture = SubmissionFixture()
            let first = fixture.build()
            fixture.id = UUID()
            let second = fixture.build()
            let stored = try await store.ingest(
                first, receivedAt: receivedAt(0), credentials: credentials, aggregates: aggregates)
            _ = try await store.ingest(
                second, receivedAt: receivedAt(1), credentials: TrustStoreTests.credentials(presenting: installToken).0,
                aggregates: aggregates)
            let machineID = first.machine.machineID
            func summarized() async throws -> Int? {
                try await store.machineCurves(machineID: machineID).first?.summary.submissionCount
            }
            #expect(try await summarized() == 2)

            let summarizer = CountingSummarizer()
            _ = try await store.setQuarantine(
                .submission(second.id), quarantined: true, reason: nil, actor: "test", at: receivedAt(2),
                summarizer: summarizer)
            #expect(try await summarized() == 1)
            // The next ingest on the machine keeps it out too (its summary is rebuilt from what is visible).
            var third = SubmissionFixture()
            third.id = UUID()
            _ = try await store.ingest(
                third.build(), receivedAt: receivedAt(3), credentials: nil, aggregates: aggregates)
            #expect(try await summarized() == 2)
            _ = try await store.setQuarantine(
                .submission(second.id), quarantined: false, reason: nil, actor: "test", at: receivedAt(4),
                summarizer: summarizer)
            #expect(try await summarized() == 3)

            // The install sent the first two: quarantining it leaves the third alone; with every
            // curve of the key hidden the summary goes, and release brings it back.
            let install = ModerationTarget.install(try #require(stored.installID))
            _ = try await store.setQuarantine(
                install, quarantined: true, reason: nil, actor: "test", at: receivedAt(5), summarizer: summarizer)
            #expect(try await summarized() == 1)
            _ = try await store.setQuarantine(
                .submission(third.id), quarantined: true, reason: nil, actor: "test", at: receivedAt(6),
                summarizer: summarizer)
            #expect(try await store.machineCurves(machineID: machineID).isEmpty)
            _ = try await store.setQuarantine(
                install, quarantined: false, reason: nil, actor: "test", at: receivedAt(7), summarizer: summarizer)
            #expect(try await summarized() == 2)
        }
    }
}
