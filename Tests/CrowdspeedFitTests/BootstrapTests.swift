import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Best nursery and its bootstrap interval")
struct BootstrapTests {
    let grid: [Int64] = (18 ... 26).map { Int64(1) << Int64($0) }

    @Test("a fixed seed gives a fixed answer; a clear minimum gives a tight interval")
    func deterministic() throws {
        // Minimum at 8M, steep on both sides, 1% noise over 6 rounds.
        var noise = SplitMix64(seed: 9)
        var ratios: [Double] = []
        for _ in 0 ..< 6 {
            for size in grid {
                let x = log2(Double(size)) - 23
                ratios.append((1 + 0.1 * x * x) * exp(0.01 * noise.nextGaussian()))
            }
        }
        let c = Curve(nurseries: grid, roundIDs: Array(0 ..< 6), roundRatios: ratios)
        var a = SplitMix64(seed: 5)
        var b = SplitMix64(seed: 5)
        let first = BestNurseryEstimator.estimate(c, using: &a)
        let second = BestNurseryEstimator.estimate(c, using: &b)
        #expect(first == second)
        #expect(first.bestNurseryBytes == 8 * mib)
        let interval = try #require(first.interval)
        #expect(isClose(interval.log2Lower, 23) && isClose(interval.log2Upper, 23))
        #expect(first.flatSet == [8 * mib])
        #expect(first.rounds == 6)
    }

    @Test("a single round has a best but no interval")
    func singleRound() {
        let c = Curve(nurseries: [mib, 2 * mib], roundIDs: [0], roundRatios: [0.9, 0.95])
        var rng = SplitMix64(seed: 1)
        let estimate = BestNurseryEstimator.estimate(c, using: &rng)
        #expect(estimate.bestNurseryBytes == mib)
        #expect(estimate.interval == nil)
        #expect(estimate.flatSet == [mib])
        #expect(!estimate.defaultIsInFlatSet)
    }

    @Test("a flat curve puts every size in the flat set and the default too")
    func flat() throws {
        let c = Curve(nurseries: grid, roundIDs: [0, 1, 2], roundRatios: [Double](repeating: 1, count: 27))
        var rng = SplitMix64(seed: 1)
        let estimate = BestNurseryEstimator.estimate(c, using: &rng)
        #expect(estimate.flatSet == grid)
        #expect(estimate.defaultIsInFlatSet)
        #expect(estimate.bestNurseryBytes == grid[0])
        let interval = try #require(estimate.interval)
        #expect(interval.log2Lower <= interval.log2Upper)
    }

    @Test("95% intervals cover the true best grid size of at least 85% of 200 simulated curves")
    func coverage() throws {
        let simulator = PopulationSimulator(seed: 77)
        var rng = SplitMix64(seed: 78)
        var covered = 0
        var total = 0
        var index = 0
        while total < 200 {
            let machine = simulator.machine(at: index)
            index += 1
            // One curve per machine (procs = 1) keeps the curves independent.
            guard let fitCurve = FitCurve.curves(from: machine.submission).first else { continue }
            let truth = machine.trueCurve(procs: fitCurve.features.procs, grid: simulator.grid)
            let trueBest = truth.nurseries[try #require(BestNurseryEstimator.argmin(truth.relativeTime))]
            let estimate = BestNurseryEstimator.estimate(fitCurve.curve, replicates: 300, using: &rng)
            let interval = try #require(estimate.interval)
            if interval.contains(Double(trueBest)) { covered += 1 }
            total += 1
        }
        let rate = Double(covered) / Double(total)
        print("bootstrap coverage: \(covered)/\(total) = \(rate)")
        #expect(rate >= 0.85)
    }
}
