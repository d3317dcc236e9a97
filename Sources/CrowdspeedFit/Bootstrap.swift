import Foundation
import CrowdspeedCore

/// A percentile interval for the best nursery size.
public struct NurseryInterval: Sendable, Equatable, Codable {
    /// Bounds in log2(bytes): percentiles of the bootstrap argmin, so not necessarily integers.
    public var log2Lower: Double
    public var log2Upper: Double
    /// The bounds as sizes (2^bound, rounded to whole bytes).
    public var lowerBytes: Int64 { Int64(exp2(log2Lower).rounded()) }
    public var upperBytes: Int64 { Int64(exp2(log2Upper).rounded()) }
    /// Nominal coverage, e.g. 0.95.
    public var confidence: Double

    /// True when `bytes` lies inside the interval widened by `slack` (in log2 units) each side.
    public func contains(_ bytes: Double, slack: Double = 0) -> Bool {
        guard bytes > 0 else { return false }
        let x = log2(bytes)
        return x >= log2Lower - slack && x <= log2Upper + slack
    }
}

/// The best nursery of one curve with its uncertainty.
public struct BestNurseryEstimate: Sendable, Equatable, Codable {
    /// The measured setting with the lowest relative time; nil when the curve has no points.
    public var bestNurseryBytes: Int64?
    /// Its relative time (NaN when there is no point).
    public var bestRelativeTime: Double
    /// Settings within the flat tolerance (2%) of the best, ascending: the optimum is flat, so any
    /// of them is as good as the best within the measurement's resolution.
    public var flatSet: [Int64]
    /// True when the default setting (1.0) is itself within the flat tolerance of the best.
    public var defaultIsInFlatSet: Bool
    /// The bootstrap percentile interval of the argmin; nil with fewer than two rounds, where
    /// resampling rounds has nothing to vary.
    public var interval: NurseryInterval?
    /// Rounds with a usable control.
    public var rounds: Int
}

/// Best nursery per curve with a seeded bootstrap interval.
public enum BestNurseryEstimator {
    /// Estimates the best nursery of `curve`.
    ///
    /// The bootstrap resamples the curve's rounds with replacement (rounds, not samples, because
    /// the paired ratios of one round share the round's control), recomputes every setting's
    /// median ratio and takes the argmin; the interval is the (1−c)/2 and (1+c)/2 percentiles of
    /// log2(argmin) over `replicates` resamples.
    ///
    /// - Parameters:
    ///   - curve: the measured curve.
    ///   - replicates: bootstrap resamples (at least 1 is used).
    ///   - confidence: nominal coverage of the interval, 0…1.
    ///   - flatTolerance: relative slack defining the flat set (0.02 = within 2% of the best).
    ///   - generator: the only source of randomness; a fixed seed gives a fixed answer.
    /// - Returns: an estimate; with only default runs there is no best and no interval, with a
    ///   single round there is a best but no interval.
    public static func estimate(
        _ curve: Curve, replicates: Int = 400, confidence: Double = 0.95, flatTolerance: Double = 0.02,
        using generator: inout some RandomNumberGenerator
    ) -> BestNurseryEstimate {
        resample(curve, replicates: replicates, confidence: confidence, flatTolerance: flatTolerance, using: &generator)
    }

    /// ``estimate(_:replicates:confidence:flatTolerance:using:)`` with ``SplitMix64``, the
    /// generator the server uses: a concrete entry point makes the compiler specialize the
    /// resampling loop inside this module. Called from another module, the generic one runs
    /// unspecialized (every `Int.random(in:using:)` through witness tables and metadata lookups),
    /// which made the server's per-ingest bootstrap most of an ingest's CPU time. Same stream,
    /// same answer.
    public static func estimate(
        _ curve: Curve, replicates: Int = 400, confidence: Double = 0.95, flatTolerance: Double = 0.02,
        using generator: inout SplitMix64
    ) -> BestNurseryEstimate {
        resample(curve, replicates: replicates, confidence: confidence, flatTolerance: flatTolerance, using: &generator)
    }

    /// The body of both ``estimate(_:replicates:confidence:flatTolerance:using:)`` overloads.
    private static func resample<Generator: RandomNumberGenerator>(
        _ curve: Curve, replicates: Int, confidence: Double, flatTolerance: Double, using generator: inout Generator
    ) -> BestNurseryEstimate {
        let best = argmin(curve.relativeTime)
        guard let best else {
            return BestNurseryEstimate(
                bestNurseryBytes: nil, bestRelativeTime: .nan, flatSet: [], defaultIsInFlatSet: curve.roundCount > 0,
                interval: nil, rounds: curve.roundCount)
        }
        let bestTime = curve.relativeTime[best]
        let limit = bestTime * (1 + max(0, flatTolerance))
        let flat = curve.nurseries.indices.filter { curve.relativeTime[$0].isFinite && curve.relativeTime[$0] <= limit }
            .map { curve.nurseries[$0] }

        var interval: NurseryInterval?
        let rows = curve.roundCount
        let columns = curve.nurseries.count
        if rows >= 2 {
            // A resample is a multiset of rounds, so each column's median can be read off the
            // column's rows pre-sorted by ratio, weighted by how often each round was drawn:
            // O(rows) per column instead of gathering and sorting the drawn values, with the
            // same medians (equal values are interchangeable) from the same random stream.
            var sortedRows: [[Int]] = (0..<columns).map { column in
                (0..<rows).filter { curve.roundRatios[$0 * columns + column].isFinite }
                    .sorted { curve.roundRatios[$0 * columns + column] < curve.roundRatios[$1 * columns + column] }
            }
            var argmins: [Double] = []
            argmins.reserveCapacity(max(1, replicates))
            var draws = [Int](repeating: 0, count: rows)
            var medians = [Double](repeating: .nan, count: columns)
            for _ in 0..<max(1, replicates) {
                for index in 0..<rows { draws[index] = 0 }
                for _ in 0..<rows { draws[Int.random(in: 0..<rows, using: &generator)] += 1 }
                for column in 0..<columns {
                    medians[column] = weightedMedian(
                        sortedRows: &sortedRows[column], draws: draws, ratios: curve.roundRatios, column: column,
                        columns: columns)
                }
                if let pick = argmin(medians) { argmins.append(log2(Double(curve.nurseries[pick]))) }
            }
            argmins.sort()
            let c = min(1, max(0, confidence.isFinite ? confidence : 0.95))
            if !argmins.isEmpty {
                interval = NurseryInterval(
                    log2Lower: Stats.quantileSorted(argmins, (1 - c) / 2),
                    log2Upper: Stats.quantileSorted(argmins, (1 + c) / 2), confidence: c)
            }
        }
        return BestNurseryEstimate(
            bestNurseryBytes: curve.nurseries[best], bestRelativeTime: bestTime, flatSet: flat,
            defaultIsInFlatSet: 1.0 <= limit, interval: interval, rounds: rows)
    }

    /// The median of the multiset that holds row `r` of `column` `draws[r]` times, `sortedRows`
    /// being the column's rows with a finite ratio in ascending order of it; NaN when no drawn
    /// row has one. Equal to sorting the drawn values and taking the middle one (or the mean of
    /// the middle two). `inout` only to avoid copying the row list per call.
    static func weightedMedian(sortedRows: inout [Int], draws: [Int], ratios: [Double], column: Int, columns: Int)
        -> Double
    {
        var count = 0
        for row in sortedRows { count += draws[row] }
        guard count > 0 else { return .nan }
        let lowPosition = (count - 1) / 2
        let highPosition = count / 2
        var low = Double.nan
        var seen = 0
        for row in sortedRows where draws[row] > 0 {
            let value = ratios[row * columns + column]
            let next = seen + draws[row]
            if lowPosition >= seen && lowPosition < next { low = value }
            if highPosition < next { return lowPosition == highPosition ? value : 0.5 * (low + value) }
            seen = next
        }
        return .nan
    }

    /// Index of the smallest finite value (the first on ties), nil when there is none.
    static func argmin(_ values: [Double]) -> Int? {
        var best: Int?
        for index in values.indices where values[index].isFinite {
            if best.map({ values[index] < values[$0] }) ?? true { best = index }
        }
        return best
    }
}
