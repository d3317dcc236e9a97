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
            var argmins: [Double] = []
            argmins.reserveCapacity(max(1, replicates))
            var picks = [Int](repeating: 0, count: rows)
            var medians = [Double](repeating: .nan, count: columns)
            var scratch: [Double] = []
            scratch.reserveCapacity(rows)
            for _ in 0 ..< max(1, replicates) {
                for index in 0 ..< rows { picks[index] = Int.random(in: 0 ..< rows, using: &generator) }
                for column in 0 ..< columns {
                    scratch.removeAll(keepingCapacity: true)
                    for row in picks {
                        let value = curve.roundRatios[row * columns + column]
                        if value.isFinite { scratch.append(value) }
                    }
                    medians[column] = smallMedian(&scratch)
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

    /// The median of `values` (finite; reordered), NaN when empty — equal to
    /// `Stats.medianInPlace`, by insertion sort: a bootstrap column holds one value per round
    /// (tens), and the generic `sort()` was left unspecialized there, with a metadata lookup per
    /// call, 4000 calls per estimate.
    static func smallMedian(_ values: inout [Double]) -> Double {
        let n = values.count
        guard n > 0 else { return .nan }
        values.withUnsafeMutableBufferPointer { buffer in
            for i in 1 ..< n {
                let value = buffer[i]
                var j = i - 1
                while j >= 0 && buffer[j] > value {
                    buffer[j + 1] = buffer[j]
                    j -= 1
                }
                buffer[j + 1] = value
            }
        }
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2])
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
