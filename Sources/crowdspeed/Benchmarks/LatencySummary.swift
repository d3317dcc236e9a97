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
}
