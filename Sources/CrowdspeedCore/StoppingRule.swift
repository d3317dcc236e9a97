/// Why a sweep stopped; recorded as `run.stop_reason`.
public enum StopReason: String, Sendable, Equatable {
    /// The fixed number of rounds (`--rounds`, `--quick`) or the adaptive maximum was reached.
    case rounds
    /// Every process count's best nursery was resolved against its neighbours.
    case resolved
    /// The time budget would be exceeded by another round.
    case budget
    /// The user pressed Ctrl-C.
    case interrupted
}

/// When to stop adding rounds.
public struct StoppingRule: Sendable, Equatable {
    /// A fixed count, or adaptive between a minimum and a maximum number of measured rounds.
    public enum Mode: Sendable, Equatable {
        case fixed(rounds: Int)
        case adaptive(minimum: Int, maximum: Int)
    }

    public var mode: Mode
    /// Wall-clock seconds the whole sweep may take, or nil for no cap.
    public var budgetSeconds: Double?
    /// Relative gap under which two points count as equivalent (the optimum is flat).
    public var tolerance: Double

    public init(mode: Mode, budgetSeconds: Double? = nil, tolerance: Double = 0.02) {
        self.mode = mode
        self.budgetSeconds = budgetSeconds
        self.tolerance = tolerance
    }

    /// The default: at least 5 measured rounds (a median of 5 survives two outliers), at most 30.
    public static let adaptiveDefault = StoppingRule(mode: .adaptive(minimum: 5, maximum: 30))

    /// The most measured rounds this rule can run (for the progress ETA).
    public var maximumRounds: Int {
        switch mode {
        case .fixed(let rounds): rounds
        case .adaptive(_, let maximum): maximum
        }
    }

    /// The process counts whose curves need no more rounds: with an adaptive rule, once at least
    /// the minimum of rounds is measured, those whose best is resolved (see ``CurveResolution``).
    /// The agent stops running a finished curve's points while the others go on, so the curves
    /// of many concurrent processes, which cost the most, stop as soon as they can.
    public func finishedCurves(measuredRounds: Int, curves: [Int: [Int64?: [Double]]]) -> Set<Int> {
        guard case .adaptive(let minimum, _) = mode, measuredRounds >= minimum else { return [] }
        return Set(curves.filter { CurveResolution.isResolved($0.value, tolerance: tolerance) }.keys)
    }

    /// Decides after a finished round whether to run another.
    ///
    /// - Parameters:
    ///   - measuredRounds: measured rounds finished so far (warm-up excluded).
    ///   - curves: per process count, the CPU-time samples of each nursery setting (nil = default).
    ///   - elapsedSeconds: time since the sweep started.
    ///   - roundSeconds: how long the last round took, the estimate for the next one.
    /// - Returns: the reason to stop, or nil to run another round. A budget never stops a sweep
    ///   before its first measured round, since a submission needs at least one.
    public func decide(
        measuredRounds: Int, curves: [Int: [Int64?: [Double]]], elapsedSeconds: Double, roundSeconds: Double
    ) -> StopReason? {
        switch mode {
        case .fixed(let rounds):
            if measuredRounds >= rounds { return .rounds }
        case .adaptive(_, let maximum):
            if measuredRounds >= maximum { return .rounds }
            if !curves.isEmpty, finishedCurves(measuredRounds: measuredRounds, curves: curves).count == curves.count {
                return .resolved
            }
        }
        if let budgetSeconds, measuredRounds >= 1, elapsedSeconds + roundSeconds > budgetSeconds { return .budget }
        return nil
    }
}

/// Whether the best point of one curve stands out from its rivals.
public enum CurveResolution {
    /// True when the best point's interval is resolved against its neighbours: every setting
    /// other than the best (lowest median CPU time) and its neighbours in the nursery grid is
    /// either equivalent to it (its median within `tolerance` of the best's) or separated from
    /// it (the two medians' notches do not overlap). The neighbours may stay undecided: the
    /// optimum is flat, and knowing the best to within one grid step either side is what a curve
    /// needs. When the default setting is best it has no grid neighbours, so every size must be
    /// decided.
    ///
    /// A notch is median ± 1.58 × IQR / √n (McGill, Tukey and Larsen 1978): non-overlapping
    /// notches are strong evidence, at roughly 95%, that two medians differ. Unlike the samples'
    /// own quartiles it narrows as rounds are added, so a real difference is resolved in the end.
    ///
    /// - Parameter samples: CPU times per nursery setting (nil key = interpreter default). Points
    ///   with fewer than two samples cannot be judged, so such a curve is unresolved.
    public static func isResolved(_ samples: [Int64?: [Double]], tolerance: Double) -> Bool {
        guard samples.count >= 2, samples.values.allSatisfy({ $0.count >= 2 }) else { return false }
        let medians = samples.mapValues { quantile($0, 0.5) }
        guard let bestEntry = medians.min(by: { $0.value < $1.value }) else { return false }
        let best: Int64? = bestEntry.key
        var undecided: Set<Int64?> = [best]
        let grid = samples.keys.compactMap { $0 }.sorted()
        if let size = best, let index = grid.firstIndex(of: size) {
            if index > 0 { undecided.insert(grid[index - 1]) }
            if index + 1 < grid.count { undecided.insert(grid[index + 1]) }
        }
        let bestMedian = bestEntry.value
        let bestUpper = notch(samples[best]!).upper
        return samples.allSatisfy { setting, values in
            undecided.contains(setting) || medians[setting]! <= bestMedian * (1 + tolerance)
                || notch(values).lower > bestUpper
        }
    }

    /// The notch of the samples' median: median ± 1.58 × IQR / √n.
    static func notch(_ values: [Double]) -> (lower: Double, upper: Double) {
        let median = quantile(values, 0.5)
        let half = 1.58 * (quantile(values, 0.75) - quantile(values, 0.25)) / Double(values.count).squareRoot()
        return (median - half, median + half)
    }

    /// The `q` quantile with linear interpolation between order statistics (type 7, as in R and NumPy).
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
    }
}
