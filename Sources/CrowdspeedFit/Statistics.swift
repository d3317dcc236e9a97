import Foundation

/// Small order statistics used throughout the library. All of them ignore NaN inputs explicitly
/// and return NaN when nothing finite is left, so missing data never turns into a number.
public enum Stats {
    /// The arithmetic mean of the finite values, or NaN when there are none.
    public static func mean(_ values: [Double]) -> Double {
        var sum = 0.0
        var count = 0
        for value in values where value.isFinite {
            sum += value
            count += 1
        }
        return count == 0 ? .nan : sum / Double(count)
    }

    /// The `p`-quantile (0…1) of the finite values by linear interpolation between order
    /// statistics (R's type 7), or NaN when there are none. `p` is clamped to 0…1.
    public static func quantile(_ values: [Double], _ p: Double) -> Double {
        var finite = values.filter(\.isFinite)
        finite.sort()
        return quantileSorted(finite, p)
    }

    /// ``quantile(_:_:)`` on already sorted finite values.
    static func quantileSorted(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let clamped = p.isNaN ? 0.5 : min(1, max(0, p))
        let position = clamped * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(sorted.count - 1, lower + 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }

    /// The weighted mean Σ wᵢxᵢ / Σ wᵢ over the pairs whose value is finite and whose weight is
    /// finite and > 0, or NaN when there are none. `weights` must have the count of `values`.
    public static func weightedMean(_ values: [Double], weights: [Double]) -> Double {
        precondition(values.count == weights.count, "one weight per value")
        var sum = 0.0
        var total = 0.0
        for (value, weight) in zip(values, weights) where value.isFinite && weight.isFinite && weight > 0 {
            sum += weight * value
            total += weight
        }
        return total > 0 ? sum / total : .nan
    }

    /// The weighted `p`-quantile (0…1, clamped) over the same admitted pairs as
    /// ``weightedMean(_:weights:)``, or NaN when there are none.
    ///
    /// Weights act as frequencies relative to their mean: after scaling them to average 1,
    /// value i stands for wᵢ copies occupying ranks Cᵢ₋₁ … Cᵢ − 1 (Cᵢ the running sum), and the
    /// quantile is R's type 7 on those ranks (rank p·(n − 1), linear between neighbouring
    /// values). Scaling every weight changes nothing, and with equal weights this is exactly
    /// ``quantile(_:_:)``, so unweighted fits report the numbers they always did.
    public static func weightedQuantile(_ values: [Double], weights: [Double], _ p: Double) -> Double {
        weightedQuantiles(values, weights: weights, [p])[0]
    }

    /// ``weightedQuantile(_:weights:_:)`` at each of `probabilities`, sorting once.
    public static func weightedQuantiles(_ values: [Double], weights: [Double], _ probabilities: [Double]) -> [Double] {
        precondition(values.count == weights.count, "one weight per value")
        let pairs = zip(values, weights).filter { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 }.sorted { $0.0 < $1.0 }
        guard let first = pairs.first else { return probabilities.map { _ in .nan } }
        let n = Double(pairs.count)
        let scale = n / pairs.reduce(0) { $0 + $1.1 }
        // Knots (rank, value): where each value's run of copies starts and ends. A weight below
        // 1 has no run, only its start; the knots' ranks never decrease.
        var ranks: [Double] = []
        var knotValues: [Double] = []
        var cumulative = 0.0
        for (value, weight) in pairs {
            let start = cumulative
            cumulative += weight * scale
            ranks.append(start)
            knotValues.append(value)
            let end = cumulative - 1
            if end > start {
                ranks.append(end)
                knotValues.append(value)
            }
        }
        return probabilities.map { p in
            let clamped = p.isNaN ? 0.5 : min(1, max(0, p))
            let target = clamped * (n - 1)
            var previous = (rank: ranks[0], value: first.0)
            for (rank, value) in zip(ranks, knotValues) {
                if rank >= target {
                    guard rank > previous.rank else { return value }
                    return previous.value + (target - previous.rank) / (rank - previous.rank) * (value - previous.value)
                }
                previous = (rank, value)
            }
            // Only reached through rounding at the top rank.
            return previous.value
        }
    }
}
