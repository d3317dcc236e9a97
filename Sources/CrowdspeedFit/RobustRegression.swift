import CrowdspeedCore
import Foundation

/// A linear fit with the robustness weights it settled on.
public struct RobustLinearFit: Sendable, Equatable {
    /// One coefficient per design column.
    public var coefficients: [Double]
    /// The robust scale of the residuals (a standard deviation for normal errors).
    public var scale: Double
    /// Per observation, in 0…1: how much it counted in the final fit relative to its own
    /// weight (Huber: min(1, k·scale / |r|); trimmed: 1 inside the kept set, 0 outside). 0 for
    /// observations that were not admitted (non-finite value or weight, weight ≤ 0).
    public var robustnessWeights: [Double]
    /// Residuals y − x·β per observation (NaN where not admitted).
    public var residuals: [Double]
}

/// Robust linear regression for the fit's small designs (a handful of columns, hundreds of
/// rows): weighted least squares, Huber's M-estimator and least trimmed squares.
///
/// Why robust at all: anyone can submit curves, and a fresh install token costs nothing, so a
/// group of made-up machines can outnumber the honest ones that share their hardware. Least
/// squares gives every observation unbounded pull on the fit; Huber's loss caps each one's pull
/// at k·scale, and least trimmed squares ignores the worst-fitting share altogether, so that up
/// to (1 − coverage) of the weight can lie in any way without carrying the fit away.
///
/// Every function takes rows as arrays of equal length (the design, intercept column included
/// when wanted), one response and one weight per row. Rows whose response or weight is not
/// finite, or whose weight is ≤ 0, are ignored. The ridge penalty, when positive, applies
/// λ·Σw to every coefficient but the first (the intercept by convention), so that designs with
/// a constant column stay solvable.
public enum RobustRegression {
    /// Weighted least squares: argmin Σ wᵢ (yᵢ − xᵢ·β)² + λ·Σw·Σ_{j≥1} βⱼ².
    ///
    /// - Returns: the coefficients, or nil when no row is admitted or the system is singular.
    public static func weightedLeastSquares(
        design: [[Double]], response: [Double], weights: [Double], ridge: Double = 0
    ) -> [Double]? {
        precondition(design.count == response.count && response.count == weights.count, "one row per observation")
        guard let size = design.first?.count, size > 0 else { return nil }
        var a = [Double](repeating: 0, count: size * size)
        var b = [Double](repeating: 0, count: size)
        var total = 0.0
        for (i, row) in design.enumerated() where admitted(response[i], weights[i]) {
            let w = weights[i]
            for r in 0..<size {
                b[r] += w * row[r] * response[i]
                for c in 0..<size { a[r * size + c] += w * row[r] * row[c] }
            }
            total += w
        }
        guard total > 0 else { return nil }
        if ridge > 0 {
            for k in 1..<size { a[k * size + k] += ridge * total }
        }
        return LinearAlgebra.solve(a, b, size: size)
    }

    /// Huber's M-estimator by iteratively reweighted least squares.
    ///
    /// Minimizes Σ wᵢ ρ(rᵢ / s) with ρ(u) = u²/2 for |u| ≤ k and k|u| − k²/2 beyond: quadratic
    /// near the fit, linear far from it, so an observation's pull is capped at k·s. The scale s
    /// is re-estimated each iteration as ``scale(residuals:weights:)`` unless given.
    ///
    /// - Parameters:
    ///   - tuning: k; 1.345 keeps 95% efficiency at normal errors.
    ///   - scale: a fixed scale, e.g. from a high-breakdown fit; nil to estimate it.
    ///   - minimumScale: a floor on s, so that near-exact data do not make every small residual
    ///     an outlier.
    ///   - start: starting coefficients (e.g. a trimmed fit's); nil starts from least squares.
    /// - Returns: nil when least squares itself has no solution.
    public static func huber(
        design: [[Double]], response: [Double], weights: [Double], tuning: Double = 1.345,
        scale fixedScale: Double? = nil,
        minimumScale: Double = 0, ridge: Double = 0, start: [Double]? = nil, iterations: Int = 50
    ) -> RobustLinearFit? {
        guard
            var beta = start ?? weightedLeastSquares(design: design, response: response, weights: weights, ridge: ridge)
        else { return nil }
        var multipliers = weights.indices.map { admitted(response[$0], weights[$0]) ? 1.0 : 0 }
        var s = 0.0
        for _ in 0..<max(1, iterations) {
            let r = residuals(design: design, response: response, weights: weights, coefficients: beta)
            s = max(minimumScale, fixedScale ?? scale(residuals: r, weights: weights))
            guard s > 0, s.isFinite else { break }
            let next = r.indices.map { i in
                r[i].isFinite ? min(1, tuning * s / max(abs(r[i]), .leastNonzeroMagnitude)) : 0
            }
            let effective = zip(weights, next).map { $0 * $1 }
            guard
                let updated = weightedLeastSquares(design: design, response: response, weights: effective, ridge: ridge)
            else { break }
            let change = zip(updated, beta).map { abs($0 - $1) }.max() ?? 0
            beta = updated
            multipliers = next
            if change < 1e-9 { break }
        }
        let r = residuals(design: design, response: response, weights: weights, coefficients: beta)
        return RobustLinearFit(coefficients: beta, scale: s, robustnessWeights: multipliers, residuals: r)
    }

    /// Least trimmed squares: the coefficients whose smallest squared residuals, taken until
    /// they hold `coverage` of the total weight, have the least weighted sum.
    ///
    /// Found by concentration steps (refit on the best-covered rows until the set stops
    /// changing) from least squares on everything and from `starts` random small subsets drawn
    /// in proportion to weight with `generator`; the exact optimum is combinatorial, this finds
    /// it or a close local one with high probability. Its breakdown point is 1 − coverage: any
    /// group holding less than that share of the weight cannot move it arbitrarily far.
    ///
    /// - Parameters:
    ///   - coverage: share of the weight kept, 0.5…1 (clamped).
    ///   - starts: random starting subsets of (columns + 1) rows each.
    ///   - generator: the source of randomness (inject a seeded one for reproducible fits).
    /// - Returns: robustness weights 1 on the kept rows and 0 elsewhere, and the scale
    ///   ``scale(residuals:weights:)`` of all residuals; nil when no row is admitted.
    public static func leastTrimmedSquares(
        design: [[Double]], response: [Double], weights: [Double], coverage: Double = 0.6, ridge: Double = 0,
        starts: Int = 20, using generator: inout some RandomNumberGenerator
    ) -> RobustLinearFit? {
        precondition(design.count == response.count && response.count == weights.count, "one row per observation")
        let rows = design.indices.filter { admitted(response[$0], weights[$0]) }
        guard let size = design.first?.count, !rows.isEmpty else { return nil }
        let total = rows.reduce(0) { $0 + weights[$1] }
        let kept = min(1, max(0.5, coverage)) * total

        /// The rows with the smallest squared residuals under `beta`, until `kept` weight, and their sum.
        func trimmed(_ beta: [Double]) -> (set: [Int], objective: Double) {
            let r = residuals(design: design, response: response, weights: weights, coefficients: beta)
            let order = rows.sorted { (r[$0] * r[$0], $0) < (r[$1] * r[$1], $1) }
            var set: [Int] = []
            var covered = 0.0
            var objective = 0.0
            for i in order where covered < kept - 1e-12 * total {
                set.append(i)
                covered += weights[i]
                objective += weights[i] * r[i] * r[i]
            }
            return (set.sorted(), objective)
        }
        /// Least squares on `set` only.
        func refit(_ set: [Int]) -> [Double]? {
            var subset = [Double](repeating: 0, count: weights.count)
            for i in set { subset[i] = weights[i] }
            return weightedLeastSquares(design: design, response: response, weights: subset, ridge: ridge)
        }
        /// Concentration steps from `beta` until the kept set repeats.
        func concentrate(_ start: [Double]) -> (beta: [Double], objective: Double) {
            var beta = start
            var current = trimmed(beta)
            for _ in 0..<50 {
                guard let next = refit(current.set) else { break }
                let candidate = trimmed(next)
                guard candidate.objective < current.objective - 1e-12 * max(1, current.objective) else {
                    if candidate.objective <= current.objective { beta = next }
                    break
                }
                beta = next
                if candidate.set == current.set {
                    current = candidate
                    break
                }
                current = candidate
            }
            return (beta, trimmed(beta).objective)
        }

        var best: (beta: [Double], objective: Double)?
        if let all = refit(rows) { best = concentrate(all) }
        let subsetSize = min(rows.count, size + 1)
        for _ in 0..<max(0, starts) {
            var chosen = Set<Int>()
            while chosen.count < subsetSize {
                var u = generator.nextUnit() * total
                var pick = rows[rows.count - 1]
                for i in rows {
                    u -= weights[i]
                    if u < 0 {
                        pick = i
                        break
                    }
                }
                chosen.insert(pick)
            }
            guard let start = refit(chosen.sorted()) else { continue }
            let candidate = concentrate(start)
            if best.map({ candidate.objective < $0.objective }) ?? true { best = candidate }
        }
        guard let best else { return nil }
        let r = residuals(design: design, response: response, weights: weights, coefficients: best.beta)
        let keptSet = Set(trimmed(best.beta).set)
        return RobustLinearFit(
            coefficients: best.beta, scale: scale(residuals: r, weights: weights),
            robustnessWeights: weights.indices.map { keptSet.contains($0) ? 1 : 0 }, residuals: r)
    }

    /// A robust scale of residuals centred on 0: the weighted median of |r|
    /// (``weightedMedian(_:weights:)``) × 1.4826 (the
    /// normal-consistent MAD about zero), refined once by the root-mean-square of the residuals
    /// within 2.5 of that, corrected for the truncation (so that it estimates σ for normal
    /// errors while residuals beyond 2.5σ, however many up to nearly half, do not count).
    ///
    /// - Returns: NaN when no residual is finite with a positive weight; 0 when they are all 0.
    public static func scale(residuals: [Double], weights: [Double]) -> Double {
        precondition(residuals.count == weights.count, "one weight per residual")
        let mad = 1.4826 * weightedMedian(residuals.map(abs), weights: weights)
        guard mad.isFinite, mad > 0 else { return mad }
        let cut = 2.5
        var sum = 0.0
        var total = 0.0
        for (r, w) in zip(residuals, weights) where r.isFinite && w.isFinite && w > 0 && abs(r) <= cut * mad {
            sum += w * r * r
            total += w
        }
        guard total > 0 else { return mad }
        // E[Z² | |Z| ≤ c] for a standard normal Z.
        let inside = erf(cut / 2.0.squareRoot())
        let density = exp(-cut * cut / 2) / (2 * Double.pi).squareRoot()
        let consistency = 1 - 2 * cut * density / inside
        return (sum / total / consistency).squareRoot()
    }

    /// The weighted median: the smallest value whose cumulative weight reaches half the total,
    /// averaged with the next value when it reaches exactly half. A weight is a multiplicity
    /// (weight 2 is the same as listing the value twice), which keeps robust fits consistent
    /// with the install cap's meaning of weights. NaN when nothing is admitted.
    public static func weightedMedian(_ values: [Double], weights: [Double]) -> Double {
        precondition(values.count == weights.count, "one weight per value")
        let pairs = zip(values, weights).filter { admitted($0.0, $0.1) }.sorted { $0.0 < $1.0 }
        let total = pairs.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return .nan }
        var cumulative = 0.0
        for (k, pair) in pairs.enumerated() {
            cumulative += pair.1
            if cumulative >= total / 2 - 1e-12 * total {
                let exactlyHalf = abs(cumulative - total / 2) <= 1e-12 * total
                return exactlyHalf && k + 1 < pairs.count ? 0.5 * (pair.0 + pairs[k + 1].0) : pair.0
            }
        }
        return pairs[pairs.count - 1].0
    }

    /// y − x·β per row; NaN for rows that are not admitted.
    static func residuals(design: [[Double]], response: [Double], weights: [Double], coefficients: [Double])
        -> [Double]
    {
        design.indices.map { i in
            guard admitted(response[i], weights[i]) else { return .nan }
            var fitted = 0.0
            for (x, beta) in zip(design[i], coefficients) { fitted += x * beta }
            return response[i] - fitted
        }
    }

    @inline(__always)
    static func admitted(_ value: Double, _ weight: Double) -> Bool {
        value.isFinite && weight.isFinite && weight > 0
    }
}
