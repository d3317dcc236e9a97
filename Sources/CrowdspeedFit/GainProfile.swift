import CrowdspeedCore
import Foundation

/// What moving from a formula's answer to another size costs on the training curves, by the
/// distance between the two sizes in log2 units: the basis of one input's own expected gain.
///
/// For each training curve c the formula served for c predicts p_c, which lies wherever the
/// formula's error put it relative to c's own optimum. At a log2 distance δ the profile records
/// g_c(δ) = T_c(p_c · 2^δ) / T_c(p_c) − 1: how much more CPU time c spends δ away from the
/// formula's answer, i.e. what the answer gains over a size (PyPy's default) lying δ away from
/// it. Because the formula's own misses are kept, g_c can be negative: for a curve whose optimum
/// lies nearer the other size, the formula's answer loses. The profile keeps the weighted mean
/// and the 10th and 90th percentiles of g_c at offsets every ``step`` log2 units.
///
/// T is the curve's relative time, interpolated in log2 and clamped at the measured ends
/// (``Curve/relativeTime(atNursery:)``), so beyond the grid the profile stops changing.
public struct GainProfile: Sendable, Equatable, Codable {
    /// Log2 distances, ascending and evenly spaced by ``step``; 0 is among them.
    public var offsets: [Double]
    /// Per offset, the weighted mean of g_c over the curves; 0 at offset 0.
    public var mean: [Double]
    /// Per offset, the weighted 10th percentile.
    public var p10: [Double]
    /// Per offset, the weighted 90th percentile.
    public var p90: [Double]
    /// Curves the profile was taken on.
    public var curves: Int

    /// The spacing of ``offsets`` in log2 units.
    public static let step = 0.5
    /// The largest distance tabulated either way (256× in size: beyond any measured grid).
    public static let reach = 8.0

    /// Creates a profile from its columns.
    public init(offsets: [Double], mean: [Double], p10: [Double], p90: [Double], curves: Int) {
        self.offsets = offsets
        self.mean = mean
        self.p10 = p10
        self.p90 = p90
        self.curves = curves
    }

    /// Tabulates g_c(δ) over `curves`.
    ///
    /// - Parameter curves: each training curve with the formula's prediction for it and its
    ///   weight; curves whose weight is not finite and > 0, whose prediction is not positive, or
    ///   which have no interpolation node are left out.
    /// - Returns: the profile, or nil when no curve is usable.
    public static func tabulate(_ curves: [(curve: Curve, predictedBytes: Int64, weight: Double)]) -> GainProfile? {
        let usable = curves.filter { entry in
            entry.weight.isFinite && entry.weight > 0 && entry.predictedBytes > 0
                && entry.curve.relativeTime(atNursery: Double(entry.predictedBytes)).isFinite
        }
        guard !usable.isEmpty else { return nil }
        let count = Int((reach / step).rounded())
        let offsets = (-count...count).map { Double($0) * step }
        let weights = usable.map { $0.weight }
        var mean: [Double] = []
        var p10: [Double] = []
        var p90: [Double] = []
        for offset in offsets {
            let gains = usable.map { entry in
                let at = Double(entry.predictedBytes)
                return entry.curve.relativeTime(atNursery: at * exp2(offset))
                    / entry.curve.relativeTime(atNursery: at) - 1
            }
            let quantiles = Stats.weightedQuantiles(gains, weights: weights, [0.1, 0.9])
            mean.append(Stats.weightedMean(gains, weights: weights))
            p10.append(quantiles[0])
            p90.append(quantiles[1])
        }
        return GainProfile(offsets: offsets, mean: mean, p10: p10, p90: p90, curves: usable.count)
    }

    /// The profiles of the served formulas of `report` on the curves of `input`, keyed like
    /// ``PredictionInterval/intervals(for:on:)``: ``PredictionInterval/globalKey`` over every
    /// curve (each predicted by the formula served for its class), and each accepted class's
    /// description over that class's curves.
    public static func profiles(for report: FitReport, on input: FitInput) -> [String: GainProfile] {
        var grouped: [String: [(curve: Curve, predictedBytes: Int64, weight: Double)]] = [:]
        for fitCurve in input.curves {
            let (evaluation, hardwareClass) = report.evaluation(for: fitCurve.features.hardwareClass)
            let predicted = evaluation.formula.predict(fitCurve.features, pypyVersion: fitCurve.interpreterVersion)
            let entry = (curve: fitCurve.curve, predictedBytes: predicted, weight: fitCurve.weight)
            grouped[PredictionInterval.globalKey, default: []].append(entry)
            if let hardwareClass { grouped[hardwareClass.description, default: []].append(entry) }
        }
        return grouped.compactMapValues { tabulate($0) }
    }

    /// The expected gain of a recommendation over a size `distance` log2 units away from it
    /// (log2(default) − log2(recommendation)), interpolated linearly between offsets and clamped
    /// to the tabulated reach.
    ///
    /// - Returns: mean and 80% range (p10…p90); all zero at distance 0; NaN for a non-finite
    ///   distance or an empty profile.
    public func gain(atDistance distance: Double) -> GainSummary {
        guard distance.isFinite, let first = offsets.first, let last = offsets.last, offsets.count == mean.count,
            offsets.count == p10.count, offsets.count == p90.count
        else { return GainSummary(mean: .nan, p10: .nan, p90: .nan) }
        let x = min(max(distance, first), last)
        let position = (x - first) / Self.step
        let lower = min(max(0, Int(position.rounded(.down))), offsets.count - 1)
        let upper = min(lower + 1, offsets.count - 1)
        let t = position - Double(lower)
        func at(_ column: [Double]) -> Double { column[lower] + t * (column[upper] - column[lower]) }
        return GainSummary(mean: at(mean), p10: at(p10), p90: at(p90))
    }
}
