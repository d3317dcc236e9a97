import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

/// Study-mode sweeps (`PYPY_GC_MIN` pinned) are stored as their own curve family: the refit
/// never fits them, compares them with the same machines' ordinary curves, and the formulas page
/// shows how much of the gain remains, or says there is not enough data yet.
@Suite("PYPY_GC_MIN study in refits")
struct GCMinStudyRefitTests {
    /// Machines `range` of the seeded population as agent submissions, pinned or not; the pinned
    /// ones are the same machines' study-mode sweeps, under ids of their own.
    static func machines(_ range: Range<Int>, pinned: Bool) -> [Submission] {
        var options = SimulationOptions()
        options.pinnedGCMin = pinned
        let simulator = PopulationSimulator(seed: 7, options: options)
        return range.map { index in
            var submission = simulator.machine(at: index).submission
            submission.source = .agent
            if pinned { submission.id = UUID() }
            return submission
        }
    }

    /// Ingests `submissions`, refits, and returns the stored report and the formulas page.
    static func refitAndRender(_ submissions: [Submission]) async throws -> (report: FitReport, page: String) {
        try await RouterHarness.run(configure: { $0.trustForwardedFor = false }) { client, results in
            let store = try #require(results as? SQLiteResultStore)
            let pipeline = Pipeline(stores: StoreCapabilities(store))
            for (offset, submission) in submissions.enumerated() {
                _ = try await pipeline.ingest(
                    submission, receivedAt: FitPopulation.receivedAt.addingTimeInterval(Double(offset)))
            }
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                throw OriginCapRefitTests.FitFailed()
            }
            return (formula.report, try await client.get("/formulas").text)
        }
    }

    @Test("without study-mode sweeps the page says there is not enough data yet")
    func noStudyData() async throws {
        let (report, page) = try await Self.refitAndRender(Self.machines(0..<24, pinned: false))
        #expect(report.gcMinStudy?.pinnedCurves == 0 && report.gcMinStudy?.pairs == 0)
        #expect(page.contains("Not enough data yet"))
    }

    @Test("pinned sweeps are kept out of the fit, paired with the ordinary ones, and the page states the share")
    func studyShown() async throws {
        let ordinary = Self.machines(0..<24, pinned: false)
        let pinned = Self.machines(0..<12, pinned: true)
        let (report, page) = try await Self.refitAndRender(ordinary + pinned)
        let (reference, _) = try await Self.refitAndRender(ordinary)
        // The formula is what the ordinary sweeps alone give: pinned curves never enter it.
        #expect(report.global == reference.global && report.evidence == reference.evidence)
        let study = try #require(report.gcMinStudy)
        #expect(study.pinnedMachines == Set(pinned.map(\.machine.machineID)).count)
        #expect(study.pairs > 0 && study.pairs == study.pinnedCurves)
        let share = try #require(study.remainingShare)
        #expect(!page.contains("Not enough data yet"))
        #expect(page.contains(String(format: "%.1f%% of the gain remains", share * 100)), "\(share)")
        #expect(page.contains(String(format: "On %d machines", study.pairedMachines)))
    }
}
