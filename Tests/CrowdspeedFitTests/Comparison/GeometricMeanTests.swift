import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Geometric mean of ratios with a bootstrap interval")
struct GeometricMeanTests {
    @Test("identical ratios: the ratio itself, a zero-width interval, p = 0 (or 1 at ratio 1)")
    func constant() {
        var rng = SplitMix64(seed: 1)
        let estimate = GeometricMean.estimate(ratios: Array(repeating: 1.05, count: 9), using: &rng)
        #expect(isClose(estimate.ratio, 1.05) && isClose(estimate.lower, 1.05) && isClose(estimate.upper, 1.05))
        #expect(estimate.pValue == 0)
        let unchanged = GeometricMean.estimate(ratios: Array(repeating: 1, count: 9), using: &rng)
        #expect(unchanged.pValue == 1)
    }

    @Test("the geometric, not arithmetic, mean: 1.1 and 1/1.1 cancel; 1 and 4 give 2 with the interval [1, 4]")
    func handValues() {
        var rng = SplitMix64(seed: 2)
        let cancel = GeometricMean.estimate(ratios: [1.1, 1 / 1.1], using: &rng)
        #expect(isClose(cancel.ratio, 1))
        // Resampling {log 1, log 4} twice: means 0, log 2, log 4 with chances ¼, ½, ¼.
        let pair = GeometricMean.estimate(ratios: [1, 4], using: &rng)
        #expect(isClose(pair.ratio, 2))
        #expect(isClose(pair.lower, 1) && isClose(pair.upper, 4))
        #expect(pair.count == 2)
    }

    @Test("unusable ratios are ignored; one ratio has no interval; none has no ratio")
    func missing() {
        var rng = SplitMix64(seed: 3)
        let some = GeometricMean.estimate(ratios: [.nan, 2, -1, 0, .infinity], using: &rng)
        #expect(some.count == 1 && isClose(some.ratio, 2) && some.lower.isNaN && some.pValue.isNaN)
        let none = GeometricMean.estimate(ratios: [], using: &rng)
        #expect(none.count == 0 && none.ratio.isNaN)
    }

    @Test("with many machines the interval is the normal-theory one, exp(m ± 1.96·s/√n)")
    func normalTheory() {
        var data = SplitMix64(seed: 4)
        let logs = (0..<400).map { _ in 0.03 + 0.05 * data.nextGaussian() }
        var rng = SplitMix64(seed: 5)
        let estimate = GeometricMean.estimate(ratios: logs.map { exp($0) }, replicates: 4000, using: &rng)
        let mean = logs.reduce(0, +) / 400
        let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 399).squareRoot()
        let half = 1.96 * sd / 20
        #expect(isClose(log(estimate.ratio), mean))
        #expect(isClose(estimate.logStandardDeviation, sd))
        // Bootstrap percentiles scatter by about 2% of the half-width at 4000 resamples.
        #expect(isClose(log(estimate.lower), mean - half, tolerance: 0.08 * half))
        #expect(isClose(log(estimate.upper), mean + half, tolerance: 0.08 * half))
        #expect(estimate.pValue < 1e-12)
    }

    @Test("95% intervals cover the true ratio in at least 90% of 300 samples of 30 machines")
    func coverage() {
        var data = SplitMix64(seed: 6)
        var rng = SplitMix64(seed: 7)
        var covered = 0
        for _ in 0..<300 {
            let ratios = (0..<30).map { _ in 1.04 * exp(0.05 * data.nextGaussian()) }
            let estimate = GeometricMean.estimate(ratios: ratios, replicates: 500, using: &rng)
            if estimate.lower <= 1.04 && 1.04 <= estimate.upper { covered += 1 }
        }
        print("geometric-mean interval coverage: \(covered)/300")
        #expect(covered >= 270)
    }

    @Test("the interval-null p-value: the t-test against the nearer edge of 1 ± margin")
    func marginPValue() {
        var rng = SplitMix64(seed: 9)
        let logs = [0.02, 0.03, 0.025, 0.04, 0.015, 0.035, 0.03, 0.025]
        let estimate = GeometricMean.estimate(ratios: logs.map { exp($0) }, using: &rng)
        #expect(isClose(estimate.pValue(beyond: 0) / estimate.pValue, 1, tolerance: 1e-9))
        let mean = logs.reduce(0, +) / 8
        let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 7).squareRoot()
        let t = (mean - log(1.01)) / (sd / 8.0.squareRoot())
        #expect(isClose(estimate.pValue(beyond: 0.01), StudentT.twoSidedPValue(t: t, degreesOfFreedom: 7)))
        #expect(estimate.pValue(beyond: 0.01) > estimate.pValue)
        // A mean inside the margin is never significant: p above 1 − (its one-sided tail), capped at 1.
        let inside = estimate.pValue(beyond: 0.05)
        let tInside = (mean - log(1.05)) / (sd / 8.0.squareRoot())
        #expect(isClose(inside, min(1, 2 - StudentT.twoSidedPValue(t: tInside, degreesOfFreedom: 7))))
        #expect(inside > 0.5)
        let flat = GeometricMean.estimate(ratios: Array(repeating: 1.003, count: 6), using: &rng)
        #expect(flat.pValue(beyond: 0.005) == 1 && flat.pValue(beyond: 0) < 1e-12)
    }

    @Test("a fixed seed gives a fixed interval")
    func deterministic() {
        var a = SplitMix64(seed: 8)
        var b = SplitMix64(seed: 8)
        let ratios = [1.01, 0.98, 1.05, 1.02, 0.99, 1.03]
        #expect(GeometricMean.estimate(ratios: ratios, using: &a) == GeometricMean.estimate(ratios: ratios, using: &b))
    }
}
