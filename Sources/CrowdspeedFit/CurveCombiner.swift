import Foundation

/// Combines the curves of one machine key (several submissions of the same machine,
/// interpreter version, workload and procs) into one ``Curve``, and keeps the bounded window of
/// the most recent rounds that a machine's summary is computed from.
///
/// Every curve's rounds become rows of the combined curve, in the order given; the sizes are the
/// union of the curves' grids (a size one curve did not measure is missing in its rows). Each
/// curve's round ids are shifted past the previous rows' largest id by an even amount, so that a
/// round keeps its parity (the fit's noise floor splits curves into odd and even rounds) and
/// combining is associative: `combine([combine([a, b]), c]) == combine([a, b, c])`. That is what
/// lets a store maintain a machine's window one submission at a time and still hold exactly what
/// a recomputation from every stored curve gives.
public enum CurveCombiner {
    /// How many of a machine key's most recent rounds its summary is computed from.
    ///
    /// A bound keeps the work of a new submission independent of the machine's history (a
    /// nightly CI box submits thousands of sweeps). 256 rounds are 9–50 full sweeps: far more than
    /// the bootstrap needs to resolve the optimum, and recent enough to follow a machine whose
    /// behaviour changed (a kernel or firmware update). Older rounds still enter the refits.
    public static let windowRounds = 256

    /// The combined curve; empty (no rounds) for an empty list.
    ///
    /// - Parameter curves: oldest first; the newest one's default size is used when they
    ///   disagree (it only places the control on the size axis).
    public static func combine(_ curves: [Curve]) -> Curve {
        if curves.count == 1, let only = curves.first { return only }
        let sizes = Array(Set(curves.flatMap(\.nurseries))).sorted()
        var column: [Int64: Int] = [:]
        for (index, size) in sizes.enumerated() { column[size] = index }
        var roundIDs: [Int] = []
        var ratios: [Double] = []
        roundIDs.reserveCapacity(curves.reduce(0) { $0 + $1.roundCount })
        ratios.reserveCapacity(roundIDs.capacity * sizes.count)
        for curve in curves where curve.roundCount > 0 {
            let width = curve.nurseries.count
            // Past the previous rows' largest id (they are ascending), by an even amount.
            let shift = roundIDs.last.map { (($0 - (curve.roundIDs.first ?? 0)) + 2) & ~1 } ?? 0
            for (row, round) in curve.roundIDs.enumerated() {
                roundIDs.append(round + shift)
                var cells = [Double](repeating: .nan, count: sizes.count)
                for (j, size) in curve.nurseries.enumerated() {
                    if let target = column[size] { cells[target] = curve.roundRatios[row * width + j] }
                }
                ratios.append(contentsOf: cells)
            }
        }
        return Curve(
            nurseries: sizes, roundIDs: roundIDs, roundRatios: ratios,
            defaultNurseryBytes: curves.last(where: { $0.defaultNurseryBytes != nil })?.defaultNurseryBytes)
    }

    /// The most recent `limit` rounds of `curve` (all of them when it has fewer); the sizes are
    /// kept even where the dropped rounds were their only values.
    public static func window(_ curve: Curve, limit: Int = windowRounds) -> Curve {
        let drop = curve.roundCount - max(0, limit)
        guard drop > 0 else { return curve }
        let width = curve.nurseries.count
        return Curve(
            nurseries: curve.nurseries, roundIDs: Array(curve.roundIDs[drop...]),
            roundRatios: Array(curve.roundRatios[(drop * width)...]), defaultNurseryBytes: curve.defaultNurseryBytes)
    }

    /// `window` with `curve`'s rounds appended, then bounded to `limit` rounds: the same curve
    /// as `window(combine(all curves so far))`, computed from the window alone.
    public static func appending(_ curve: Curve, to window: Curve?, limit: Int = windowRounds) -> Curve {
        Self.window(combine(window.map { [$0, curve] } ?? [curve]), limit: limit)
    }
}
