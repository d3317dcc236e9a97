import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Combines the stored curves of one machine key (several submissions of the same machine,
/// interpreter version, workload and procs) into one ``Curve``.
///
/// Every submission's rounds become rows of the combined curve; the sizes are the union of the
/// submissions' grids (a size one submission did not measure is missing in its rows). Round ids
/// are shifted by an even stride per submission so that a round keeps its parity: the fit's
/// noise floor splits curves into odd and even rounds.
public enum CurveCombiner {
    /// The combined curve; empty (no rounds) for an empty list.
    ///
    /// - Parameter aggregates: oldest first; the newest one's default size is used when they
    ///   disagree (it only places the control on the size axis).
    public static func combine(_ aggregates: [CurveAggregate]) -> Curve {
        if aggregates.count == 1, let only = aggregates.first {
            return Curve(
                nurseries: only.nurseries, roundIDs: only.roundIDs, roundRatios: only.roundRatios,
                defaultNurseryBytes: only.defaultNurseryBytes)
        }
        let sizes = Array(Set(aggregates.flatMap(\.nurseries))).sorted()
        var column: [Int64: Int] = [:]
        for (index, size) in sizes.enumerated() { column[size] = index }
        let maxRound = aggregates.flatMap(\.roundIDs).max() ?? 0
        let stride = (max(0, maxRound) + 2) & ~1
        var roundIDs: [Int] = []
        var ratios: [Double] = []
        for (k, aggregate) in aggregates.enumerated() {
            let width = aggregate.nurseries.count
            guard aggregate.roundRatios.count == aggregate.roundIDs.count * width else { continue }
            for (row, round) in aggregate.roundIDs.enumerated() {
                roundIDs.append(round + k * stride)
                var cells = [Double](repeating: .nan, count: sizes.count)
                for (j, size) in aggregate.nurseries.enumerated() {
                    if let target = column[size] { cells[target] = aggregate.roundRatios[row * width + j] }
                }
                ratios.append(contentsOf: cells)
            }
        }
        return Curve(
            nurseries: sizes, roundIDs: roundIDs, roundRatios: ratios,
            defaultNurseryBytes: aggregates.last(where: { $0.defaultNurseryBytes != nil })?.defaultNurseryBytes)
    }
}
