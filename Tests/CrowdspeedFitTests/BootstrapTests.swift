import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Best nursery and its bootstrap interval")
struct BootstrapTests {
    let grid: [Int64] = (18...26).map { Int64(1) << Int64($0) }

    @Test("a fixed seed gives a fixed answer; a clear minimum gives a tight interval")
    func deterministic() throws {
        // Minimum at 8M, steep on both sides, 1% noise over 6 rounds.
        var noise = SplitMix64(seed: 9)
        var ratios: [Double] = []
        for _ in 0..<6 {
            for size in grid {
                let x = log2(Double(size)) - 23
                ratios.append((1 + 0.1 * x * x) * exp(0.01 * noise.nextGaussian()))
            }
        }
        let c = Curve(nurseries: grid, roundIDs: Array(0..<6), roundRatios: ratios)
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

    @Test(
        "the weighted-median bootstrap gives the intervals of gathering and sorting each resample",
        arguments: [UInt64(1), 2, 3])
    func sameAsDirectResampling(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        for trial in 0..<60 {
            let rows = 2 + Int(random.next() % 9)
            let sizes = Array(grid.prefix(3 + Int(random.next() % 7)))
            // Coarse values make ties common; some ratios are missing (failed or absent samples).
            let ratios = (0..<rows * sizes.count).map { _ -> Double in
                random.next() % 7 == 0 ? .nan : 0.9 + Double(random.next() % 12) / 50
            }
            let curve = Curve(nurseries: sizes, roundIDs: Array(0..<rows), roundRatios: ratios)
            var fast = SplitMix64(seed: UInt64(trial))
            var direct = SplitMix64(seed: UInt64(trial))
            let estimate = BestNurseryEstimator.estimate(curve, replicates: 200, using: &fast)
            #expect(estimate.interval == Self.directInterval(curve, replicates: 200, using: &direct), "trial \(trial)")
        }
    }

    /// The bootstrap written the plain way: draw rounds, gather each column's finite values,
    /// sort, take the median, take the argmin; percentiles of log2(argmin).
    static func directInterval(_ curve: Curve, replicates: Int, using generator: inout SplitMix64) -> NurseryInterval? {
        let rows = curve.roundCount
        let columns = curve.nurseries.count
        guard rows >= 2, BestNurseryEstimator.argmin(curve.relativeTime) != nil else { return nil }
        var argmins: [Double] = []
        for _ in 0..<replicates {
            let picks = (0..<rows).map { _ in Int.random(in: 0..<rows, using: &generator) }
            let medians = (0..<columns).map { column -> Double in
                let values = picks.map { curve.roundRatios[$0 * columns + column] }.filter(\.isFinite).sorted()
                guard !values.isEmpty else { return .nan }
                let n = values.count
                return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2])
            }
            if let pick = BestNurseryEstimator.argmin(medians) { argmins.append(log2(Double(curve.nurseries[pick]))) }
        }
        argmins.sort()
        guard !argmins.isEmpty else { return nil }
        return NurseryInterval(
            log2Lower: Stats.quantileSorted(argmins, (1 - 0.95) / 2),
            log2Upper: Stats.quantileSorted(argmins, (1 + 0.95) / 2), confidence: 0.95)
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
