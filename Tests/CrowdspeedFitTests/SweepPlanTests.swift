import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

/// Sweep plans: the band around the formula's prediction, the far points, the full grid without
/// a formula, and what they save on a simulated population with known truth.
@Suite struct SweepPlanTests {
    let features = MachineFeatures(
        l2Bytes: mib, l3Bytes: 32 * mib, physicalCores: 8, procs: 1, arch: "x86_64", cpuVendor: "AuthenticAMD",
        cpuinfoCacheBytes: nil)

    @Test func withoutAFormulaThePlanIsTheFullGridWithTodaysRule() {
        let plan = SweepPlan.plan(features: features, pypyVersion: "7.3.17", report: nil, intervals: [:])
        #expect(plan.basis == .fullGrid)
        #expect(plan.nurseries == NurserySize.sweepGrid)
        #expect(plan.stopping == .adaptiveDefault)
        #expect(plan.pypyDefaultBytes == 4 * mib)
        #expect(plan.predictedBytes == nil && plan.band == nil)
    }

    @Test func aFormulaGivesABandAroundItsPredictionAndFarPoints() throws {
        let report = Population.report
        let predicted = report.recommend(for: features, pypyVersion: "7.3.17").formulaBytes
        let center = SweepPlan.exponent(NurserySize.snapToPowerOfTwo(Double(predicted)))
        let plan = SweepPlan.plan(features: features, pypyVersion: "7.3.17", report: report, intervals: [:])
        #expect(plan.basis == .formula)
        #expect(plan.predictedBytes == predicted)
        // No interval: one size either side, and one 4× beyond each end of the band (within the grid).
        let expected = Set([center - 3, center - 1, center, center + 1, center + 3].map { min(26, max(18, $0)) })
            .sorted().map { Int64(1) << Int64($0) }
        #expect(plan.nurseries == expected)
        #expect(plan.band == (Int64(1) << Int64(center - 1))...(Int64(1) << Int64(center + 1)))
        #expect(plan.stopping == SweepPlan.plannedStopping)

        // A wide interval widens the band, at most two sizes either side.
        let wide = PredictionInterval(log2Lower: -5, log2Upper: 0.4, coverage: 0.8, curves: 50)
        let widened = SweepPlan.plan(
            features: features, pypyVersion: "7.3.17", report: report,
            intervals: [PredictionInterval.globalKey: wide])
        let band = try #require(widened.band)
        #expect(SweepPlan.exponent(band.lowerBound) == max(18, center - 2))
        #expect(SweepPlan.exponent(band.upperBound) == center + 1)
    }

    @Test func atAGridEndTheBandKeepsItsWidthInside() {
        // A tiny machine: the formula's answer lies at or below the grid's smallest size.
        let tiny = MachineFeatures(
            l2Bytes: 256 * kib, l3Bytes: nil, physicalCores: 64, procs: 64, arch: "aarch64", cpuVendor: "ARM",
            cpuinfoCacheBytes: nil)
        let plan = SweepPlan.plan(features: tiny, pypyVersion: "7.3.17", report: Population.report, intervals: [:])
        #expect(plan.nurseries.allSatisfy { NurserySize.sweepGrid.contains($0) })
        #expect(plan.nurseries.count >= 4)
        if let band = plan.band {
            #expect(SweepPlan.exponent(band.upperBound) - SweepPlan.exponent(band.lowerBound) == 2)
        }
    }

    /// The target on one population: the plan with its stopping rule halves the median
    /// timed runs of today's full adaptive sweep at the same held-out regret (±0.2 points).
    @Test func aPlanHalvesTheVolunteersRunsAtTheSameRegret() {
        let outcome = PlanScenario().run(seed: 1_017)
        let planned = outcome.planned
        let full = outcome.fullAdaptive
        #expect(planned.medianTimedRuns <= 0.5 * full.medianTimedRuns)
        // Fewer runs than even a fixed 5 rounds on the full grid.
        #expect(planned.medianTimedRuns < outcome.fullFixed.medianTimedRuns)
        #expect(abs(planned.heldOutRegret - full.heldOutRegret) <= 0.002)
        #expect(planned.heldOutRegret < 0.015)
        #expect(planned.curves == full.curves && planned.curves > 100)
    }
}
