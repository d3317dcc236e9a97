import Foundation

/// The one median every target uses (statistics, screening, dashboards, benchmarks): the middle
/// value, or the mean of the two middle values for an even count, of the finite values only.
public enum Median {
    /// The median of the finite values in `values`; nil when there are none.
    public static func of(_ values: [Double]) -> Double? {
        var finite = values.filter(\.isFinite)
        return inPlace(&finite)
    }

    /// The median of `values`, which must all be finite; sorts `values`. Nil when empty.
    public static func inPlace(_ values: inout [Double]) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        values.sort()
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}
