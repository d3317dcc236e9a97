import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// How far a machine's own best nursery tends to lie from what a formula predicts: the 10th and
/// 90th percentiles (weighted by ``FitCurve/weight``), over the training curves the formula serves, of log2(measured best) −
/// log2(predicted). Added to a prediction, they give an 80% interval for the best nursery of a
/// machine like those.
///
/// Residuals are in-sample (the formula was fitted on the same curves); the optimum is flat, so
/// any size inside the interval costs little — the interval says how much the hardware numbers
/// leave unexplained, not how wrong the advice is.
public struct PredictionInterval: Sendable, Equatable, Codable {
    public var log2Lower: Double
    public var log2Upper: Double
    /// Nominal coverage (0.8).
    public var coverage: Double
    /// Curves the residuals were taken on.
    public var curves: Int

    /// Creates an interval.
    public init(log2Lower: Double, log2Upper: Double, coverage: Double, curves: Int) {
        self.log2Lower = log2Lower
        self.log2Upper = log2Upper
        self.coverage = coverage
        self.curves = curves
    }

    enum CodingKeys: String, CodingKey {
        case log2Lower = "log2_lower"
        case log2Upper = "log2_upper"
        case coverage, curves
    }

    /// The interval around `bytes`, each end snapped to a power of two (down and up).
    public func bounds(around bytes: Int64) -> (lower: Int64, upper: Int64) {
        let center = log2(Double(max(1, bytes)))
        let low = max(0, min(62, (center + log2Lower).rounded(.down)))
        let high = max(low, min(62, (center + log2Upper).rounded(.up)))
        return (Int64(1) << Int64(low), Int64(1) << Int64(high))
    }

    /// The key under which the global formula's interval is stored.
    public static let globalKey = "global"

    /// The intervals of the served formulas of `report` (the global one, and each accepted
    /// class's own) on the curves of `input`.
    public static func intervals(for report: FitReport, on input: FitInput) -> [String: PredictionInterval] {
        var residuals: [String: [Double]] = [:]
        var weights: [String: [Double]] = [:]
        for fitCurve in input.curves where fitCurve.weight.isFinite && fitCurve.weight > 0 {
            guard let best = measuredBest(fitCurve.curve) else { continue }
            let (evaluation, hardwareClass) = report.evaluation(for: fitCurve.features.hardwareClass)
            let predicted = evaluation.formula.predict(fitCurve.features, pypyVersion: fitCurve.interpreterVersion)
            let residual = log2(Double(best)) - log2(Double(max(1, predicted)))
            guard residual.isFinite else { continue }
            for key in hardwareClass == nil ? [globalKey] : [hardwareClass!.description, globalKey] {
                residuals[key, default: []].append(residual)
                weights[key, default: []].append(fitCurve.weight)
            }
        }
        // Weighted like the fit, so an install's capped machines do not widen or shift the interval.
        return residuals.reduce(into: [:]) { result, entry in
            let bounds = Stats.weightedQuantiles(entry.value, weights: weights[entry.key] ?? [], [0.1, 0.9])
            result[entry.key] = PredictionInterval(
                log2Lower: bounds[0], log2Upper: bounds[1], coverage: 0.8, curves: entry.value.count)
        }
    }

    /// The curve's best measured size, the default setting's included (when its size is known).
    static func measuredBest(_ curve: Curve) -> Int64? {
        guard let point = curve.points.min(by: { $0.relativeTime < $1.relativeTime }) else { return nil }
        if point.relativeTime > 1, let defaultBytes = curve.defaultNurseryBytes { return defaultBytes }
        return point.nurseryBytes
    }
}
