import Foundation

/// Small order statistics used throughout the library. All of them ignore NaN inputs explicitly
/// and return NaN when nothing finite is left, so missing data never turns into a number.
public enum Stats {
    /// The median of the finite values in `values` (mean of the two middle values for an even
    /// count), or NaN when there are none.
    public static func median(_ values: [Double]) -> Double {
        var finite = values.filter(\.isFinite)
        return medianInPlace(&finite)
    }

    /// The median of `values`, which must be finite; reorders `values`. NaN when empty.
    static func medianInPlace(_ values: inout [Double]) -> Double {
        let n = values.count
        guard n > 0 else { return .nan }
        values.sort()
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2])
    }

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
}
