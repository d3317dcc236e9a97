import Foundation

/// The outcome of one multiple-testing procedure over a family of p-values.
public struct MultipleTestingResult: Sendable, Equatable {
    /// Per input, the adjusted p-value (the smallest false-discovery rate at which it would be
    /// rejected), in the input's order; NaN for inputs that were not tested.
    public var adjusted: [Double]
    /// Per input, whether it is rejected at the requested rate.
    public var rejected: [Bool]
    /// How many inputs were tested: the family size m.
    public var tested: Int
}

/// Multiple-testing corrections for the rows of one comparison.
public enum MultipleTesting {
    /// Benjamini–Hochberg's step-up procedure at false-discovery rate `q`.
    ///
    /// With the m finite p-values sorted, p₍₁₎ ≤ … ≤ p₍ₘ₎, rejects the k smallest where k is the
    /// largest index with p₍ₖ₎ ≤ k·q / m (step-up: a p-value above its own bound is still
    /// rejected when a larger one passes). The adjusted value of p₍ᵢ₎ is minⱼ≥ᵢ(m·p₍ⱼ₎ / j),
    /// capped at 1, so "adjusted ≤ q" and "rejected" always agree. The procedure keeps the
    /// expected share of false rejections among rejections at or below q when the tests are
    /// independent or positively dependent (Benjamini & Yekutieli 2001), which the overall and
    /// per-class rows of one benchmark are.
    ///
    /// - Parameters:
    ///   - pValues: any order; NaN (an untested row) is left out of the family, neither adjusted
    ///     nor rejected. Values are clamped to 0…1.
    ///   - q: the false-discovery rate, 0…1.
    /// - Returns: adjusted values and decisions in the input's order.
    public static func benjaminiHochberg(_ pValues: [Double], q: Double) -> MultipleTestingResult {
        let tested = pValues.indices.filter { !pValues[$0].isNaN }
        let m = tested.count
        var adjusted = [Double](repeating: .nan, count: pValues.count)
        var rejected = [Bool](repeating: false, count: pValues.count)
        guard m > 0 else { return MultipleTestingResult(adjusted: adjusted, rejected: rejected, tested: 0) }
        // Ascending by p-value; ties keep the input order, which changes no decision.
        let order = tested.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let index = order[rank - 1]
            let p = min(1, max(0, pValues[index]))
            // m / rank first: at rank m the factor is exactly 1, so no p-value is adjusted below itself.
            running = min(running, p * (Double(m) / Double(rank)))
            adjusted[index] = running
        }
        let level = q.isFinite ? min(1, max(0, q)) : 0
        for index in tested { rejected[index] = adjusted[index] <= level }
        return MultipleTestingResult(adjusted: adjusted, rejected: rejected, tested: m)
    }
}
