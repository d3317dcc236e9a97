import CrowdspeedCore
import Foundation

/// The geometric mean of per-machine ratios with its uncertainty.
public struct GeometricMeanEstimate: Sendable, Equatable {
    /// exp(mean of log ratios): the typical machine's ratio; NaN when there is no usable ratio.
    public var ratio: Double
    /// Percentile bootstrap bounds of ``ratio``; NaN with fewer than two ratios.
    public var lower: Double
    public var upper: Double
    /// Nominal coverage of [lower, upper].
    public var confidence: Double
    /// Usable ratios (finite and > 0).
    public var count: Int
    /// Sample standard deviation of the log ratios (n − 1 denominator); NaN below two ratios.
    public var logStandardDeviation: Double
    /// Two-sided p-value of "the geometric mean is 1" from a one-sample t-test on the log ratios
    /// (n − 1 degrees of freedom); NaN below two ratios.
    public var pValue: Double

    /// Two-sided p-value of "the geometric mean lies within a factor 1 ± `margin` of 1" (an
    /// interval null, tested on the log scale against its nearer edge): small only when the
    /// change is confidently larger than `margin`. With `margin` 0 it is ``pValue``.
    ///
    /// - Parameter margin: ≥ 0, e.g. 0.005 for half a percent.
    /// - Returns: a probability in 0…1; NaN when ``pValue`` is.
    public func pValue(beyond margin: Double) -> Double {
        guard count >= 2, !pValue.isNaN else { return .nan }
        let edge = log1p(max(0, margin.isFinite ? margin : 0))
        let mean = log(ratio)
        let distance = abs(mean) - edge
        guard logStandardDeviation > 0 else { return distance > 0 ? 0 : 1 }
        let t = distance / (logStandardDeviation / Double(count).squareRoot())
        // One-sided against the nearer edge, doubled to stay two-sided (either direction may be
        // claimed): at margin 0 this is the ordinary two-sided p-value.
        let twoSided = StudentT.twoSidedPValue(t: t, degreesOfFreedom: Double(count - 1))
        return t >= 0 ? twoSided : min(1, 2 - twoSided)
    }
}

/// Geometric means of ratios over machines, with an interval from resampling machines.
public enum GeometricMean {
    /// Estimates the geometric mean of `ratios` with a percentile bootstrap interval.
    ///
    /// Ratios are averaged in logs because a machine 10% slower and one 10% faster should
    /// cancel (1.1 and 1/1.1), and because CPU-time noise is multiplicative. Machines are the
    /// resampled unit: they are the independent draws from the population the answer speaks
    /// for, while samples within one machine share its hardware and its state that day.
    ///
    /// - Parameters:
    ///   - ratios: one per machine; non-finite and non-positive values are ignored. The order
    ///     only changes which resamples are drawn, not what they estimate; callers that want
    ///     the same answer for the same set sort first.
    ///   - replicates: bootstrap resamples (at least 1 is used).
    ///   - confidence: nominal coverage, 0…1 (0.95 when not finite).
    ///   - generator: the only randomness; the same seed and input give the same interval.
    /// - Returns: the estimate. With one ratio the interval is NaN; with identical log ratios the
    ///   interval is that single value and the p-value is 1 (log ratio 0) or 0 (any other).
    public static func estimate(
        ratios: [Double], replicates: Int = 2000, confidence: Double = 0.95, using generator: inout SplitMix64
    ) -> GeometricMeanEstimate {
        let logs = ratios.filter { $0.isFinite && $0 > 0 }.map { log($0) }
        let c = confidence.isFinite ? min(1, max(0, confidence)) : 0.95
        let n = logs.count
        guard n > 0 else {
            return GeometricMeanEstimate(
                ratio: .nan, lower: .nan, upper: .nan, confidence: c, count: 0, logStandardDeviation: .nan,
                pValue: .nan)
        }
        let mean = logs.reduce(0, +) / Double(n)
        guard n >= 2 else {
            return GeometricMeanEstimate(
                ratio: exp(mean), lower: .nan, upper: .nan, confidence: c, count: 1, logStandardDeviation: .nan,
                pValue: .nan)
        }
        let variance = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let sd = variance.squareRoot()
        let pValue: Double
        if sd > 0 {
            let t = mean / (sd / Double(n).squareRoot())
            pValue = StudentT.twoSidedPValue(t: t, degreesOfFreedom: Double(n - 1))
        } else {
            pValue = mean == 0 ? 1 : 0
        }
        var means = [Double](repeating: 0, count: max(1, replicates))
        for replicate in means.indices {
            var sum = 0.0
            for _ in 0..<n { sum += logs[generator.below(n)] }
            means[replicate] = sum / Double(n)
        }
        means.sort()
        return GeometricMeanEstimate(
            ratio: exp(mean), lower: exp(Stats.quantileSorted(means, (1 - c) / 2)),
            upper: exp(Stats.quantileSorted(means, (1 + c) / 2)), confidence: c, count: n, logStandardDeviation: sd,
            pValue: pValue)
    }
}
