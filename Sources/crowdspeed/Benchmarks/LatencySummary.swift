/// Percentiles of a set of latencies (nearest rank), and the median of several runs' figures.
struct LatencySummary {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    /// The `p`-th percentile (0…100) by nearest rank; NaN when empty.
    func percentile(_ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// The median of `values` (the middle one, lower middle for an even count); NaN when empty.
    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count.isMultiple(of: 2)
            ? (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2 : sorted[sorted.count / 2]
    }
}
