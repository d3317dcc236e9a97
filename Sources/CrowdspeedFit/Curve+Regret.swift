import Foundation

/// Regret and gain on a measured curve.
///
/// T(n) is the curve's relative time interpolated linearly in log2(n) between measured points.
/// Outside the measured range T is clamped to the nearest end's value: the curve is not
/// extrapolated, because beyond the grid nothing was measured and a straight-line guess would
/// reward formulas for leaving the measured range. The default setting joins the nodes at
/// ``Curve/defaultNurseryBytes`` with value 1.0 when that size is known and is not already a grid
/// size (a grid point within 1.5% in size keeps its own measurement).
extension Curve {
    /// The interpolation nodes, ascending in log2(size): measured points plus the default.
    public var interpolationNodes: (log2Sizes: [Double], values: [Double]) {
        var xs: [Double] = []
        var ys: [Double] = []
        for index in nurseries.indices where relativeTime[index].isFinite {
            xs.append(log2(Double(nurseries[index])))
            ys.append(relativeTime[index])
        }
        if roundCount > 0, let bytes = defaultNurseryBytes {
            let x = log2(Double(bytes))
            if !xs.contains(where: { abs($0 - x) < 0.02 }) {
                let at = xs.firstIndex { $0 > x } ?? xs.count
                xs.insert(x, at: at)
                ys.insert(1.0, at: at)
            }
        }
        return (xs, ys)
    }

    /// The lowest relative time measured, the default's 1.0 included; NaN with no rounds.
    public var bestRelativeTime: Double {
        guard roundCount > 0 else { return .nan }
        return relativeTime.reduce(1.0) { $1.isFinite ? min($0, $1) : $0 }
    }

    /// T at `bytes`, interpolated in log2 and clamped to the measured range; NaN when the curve
    /// has no node or `bytes` is not a finite positive number.
    public func relativeTime(atNursery bytes: Double) -> Double {
        guard bytes.isFinite, bytes > 0 else { return .nan }
        let nodes = interpolationNodes
        return nodes.log2Sizes.withUnsafeBufferPointer { xs in
            nodes.values.withUnsafeBufferPointer { ys in
                Self.interpolate(xs: xs, ys: ys, at: log2(bytes))
            }
        }
    }

    /// Regret of choosing `bytes`: T(bytes) / T(best) − 1, ≥ 0 up to rounding; NaN when
    /// undefined (no nodes).
    public func regret(ofNursery bytes: Int64) -> Double {
        relativeTime(atNursery: Double(bytes)) / bestRelativeTime - 1
    }

    /// Expected gain of `bytes` over the default setting: T(default) / T(bytes) − 1, from the
    /// measured control (T(default) = 1). Positive means faster than the default.
    public func expectedGain(ofNursery bytes: Int64) -> Double {
        1 / relativeTime(atNursery: Double(bytes)) - 1
    }

    /// Regret of keeping the default setting: 1 / T(best) − 1, from the measured control itself
    /// (no interpolation). NaN with no rounds.
    public var defaultRegret: Double { 1 / bestRelativeTime - 1 }

    /// Linear interpolation at `x` on ascending nodes, clamped to the ends; NaN with no nodes.
    static func interpolate(xs: UnsafeBufferPointer<Double>, ys: UnsafeBufferPointer<Double>, at x: Double) -> Double {
        let count = xs.count
        guard count > 0, x.isFinite else { return .nan }
        if x <= xs[0] { return ys[0] }
        if x >= xs[count - 1] { return ys[count - 1] }
        var upper = 1
        while xs[upper] < x { upper += 1 }
        let lower = upper - 1
        let span = xs[upper] - xs[lower]
        guard span > 0 else { return ys[upper] }
        let t = (x - xs[lower]) / span
        return ys[lower] + t * (ys[upper] - ys[lower])
    }
}
