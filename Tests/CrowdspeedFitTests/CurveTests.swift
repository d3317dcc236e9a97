import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Curves: paired ratios, medians, exclusions")
struct CurveTests {
    @Test("ratios are paired per round, medians across rounds; failed, NaN, zero and unpaired samples are excluded")
    func pairedMedians() {
        var samples: [(Int, Int64?, Double)] = [
            (0, nil, 100), (0, mib, 120), (0, 8 * mib, 80),
            (1, nil, 110), (1, mib, 121), (1, 8 * mib, 99),
            (2, nil, 90), (2, mib, 99), (2, 8 * mib, 81),
            // Round 3 has no default time: it must not contribute.
            (3, mib, 1), (3, 8 * mib, 1),
            // Unusable numbers.
            (0, 8 * mib, .nan), (1, 8 * mib, 0), (2, mib, -5),
        ]
        var built = samples.map { CurveSample(round: $0.0, nurseryBytes: $0.1, cpuMs: $0.2) }
        built.append(CurveSample(round: 0, nurseryBytes: 8 * mib, cpuMs: 1, failed: true))
        samples.removeAll()
        let c = Curve(samples: built)
        #expect(c.nurseries == [mib, 8 * mib])
        #expect(c.roundIDs == [0, 1, 2])
        #expect(c.roundCounts == [3, 3])
        #expect(isClose(c.relativeTime[0], 1.1))
        #expect(isClose(c.relativeTime[1], 0.9))
        #expect(c.points.map(\.rounds) == [3, 3])
        #expect(isClose(c.bestRelativeTime, 0.9))
    }

    @Test("k samples per point per round are combined by mean or median before pairing")
    func replicateAggregation() {
        let samples: [(Int, Int64?, Double)] = [
            (0, nil, 100), (0, nil, 100), (0, nil, 130),
            (0, 4 * mib, 110), (0, 4 * mib, 110), (0, 4 * mib, 110),
        ]
        #expect(isClose(curve(samples, aggregation: .mean).relativeTime[0], 1.0))
        #expect(isClose(curve(samples, aggregation: .median).relativeTime[0], 1.1))
    }

    @Test("only default runs give a curve without points, no regret, no best")
    func onlyDefault() {
        let c = curve([(0, nil, 100), (1, nil, 101)])
        #expect(c.hasNoPoints)
        #expect(c.roundCount == 2)
        #expect(c.regret(ofNursery: 8 * mib).isNaN)
        var rng = SplitMix64(seed: 1)
        let estimate = BestNurseryEstimator.estimate(c, using: &rng)
        #expect(estimate.bestNurseryBytes == nil)
        #expect(estimate.interval == nil)
        #expect(estimate.defaultIsInFlatSet)
        // Placed on the size axis, the control alone gives zero regret anywhere.
        let placed = curve([(0, nil, 100)], defaultBytes: 4 * mib)
        #expect(isClose(placed.regret(ofNursery: 64 * mib), 0))
    }

    @Test("rounds restricted to odd or even rebuild the medians")
    func restriction() {
        let c = curve([(0, nil, 100), (0, mib, 150), (1, nil, 100), (1, mib, 110), (2, nil, 100), (2, mib, 130)])
        #expect(isClose(c.relativeTime[0], 1.3))
        let odd = c.restricted { $0 % 2 == 1 }
        let even = c.restricted { $0 % 2 == 0 }
        #expect(odd.roundIDs == [1])
        #expect(isClose(odd.relativeTime[0], 1.1))
        #expect(even.roundIDs == [0, 2])
        #expect(isClose(even.relativeTime[0], 1.4))
    }

    @Test("T interpolates linearly in log2(size) and clamps outside the measured range")
    func interpolation() {
        let c = Curve(nurseries: [16 * mib, mib, 4 * mib], roundIDs: [0], roundRatios: [1.1, 1.2, 0.8])
        #expect(c.nurseries == [mib, 4 * mib, 16 * mib])
        #expect(isClose(c.relativeTime(atNursery: Double(2 * mib)), 1.0))
        #expect(isClose(c.relativeTime(atNursery: Double(8 * mib)), 0.95))
        #expect(isClose(c.relativeTime(atNursery: Double(256 * kib)), 1.2))
        #expect(isClose(c.relativeTime(atNursery: Double(1 << 30)), 1.1))
        #expect(isClose(c.regret(ofNursery: 4 * mib), 0))
        #expect(isClose(c.regret(ofNursery: mib), 0.5))
        #expect(isClose(c.expectedGain(ofNursery: 4 * mib), 0.25))
        #expect(isClose(c.defaultRegret, 0.25))
        #expect(c.relativeTime(atNursery: .nan).isNaN)
        #expect(c.relativeTime(atNursery: 0).isNaN)
    }

    @Test("the default setting joins the nodes at its size unless a grid point is there")
    func defaultNode() {
        let offGrid = Curve(
            nurseries: [2 * mib, 4 * mib], roundIDs: [0], roundRatios: [1.2, 1.2], defaultNurseryBytes: 3 * mib)
        #expect(isClose(offGrid.relativeTime(atNursery: Double(3 * mib)), 1.0))
        #expect(offGrid.interpolationNodes.log2Sizes.count == 3)
        let onGrid = Curve(
            nurseries: [2 * mib, 4 * mib], roundIDs: [0], roundRatios: [1.2, 1.1], defaultNurseryBytes: 4 * mib)
        #expect(isClose(onGrid.relativeTime(atNursery: Double(4 * mib)), 1.1))
    }

    @Test("malformed ratio matrices and non-positive ratios count as missing")
    func defensive() {
        let wrongSize = Curve(nurseries: [mib, 2 * mib], roundIDs: [0], roundRatios: [1.0])
        #expect(wrongSize.hasNoPoints)
        let negative = Curve(nurseries: [mib, 2 * mib], roundIDs: [0], roundRatios: [-1, .infinity])
        #expect(negative.hasNoPoints)
        let duplicate = Curve(nurseries: [mib, mib], roundIDs: [0], roundRatios: [0.9, 0.7])
        #expect(duplicate.nurseries == [mib])
    }

    @Test("curves are extracted from a submission per procs, with the default placed by PyPy's rule")
    func fromSubmission() throws {
        let machine = PopulationSimulator(seed: 3).machine(at: 0)
        let curves = FitCurve.curves(from: machine.submission)
        let cores = machine.submission.machine.physicalCores
        #expect(curves.map(\.features.procs) == Array(Set([1, max(1, cores / 2), cores])).sorted())
        for fitCurve in curves {
            #expect(fitCurve.curve.nurseries.count == 9)
            #expect(fitCurve.curve.roundCount == 5)
            #expect(fitCurve.curve.defaultNurseryBytes == machine.defaultNurseryBytes)
            #expect(fitCurve.machineID == machine.submission.machine.machineID)
        }
    }
}
