/// Why a sweep stopped; recorded as `run.stop_reason`.
public enum StopReason: String, Sendable, Equatable {
    /// The fixed number of rounds (`--rounds`, `--quick`) or the adaptive maximum was reached.
    case rounds
    /// Every process count's best nursery was resolved from its neighbours.
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
        case .adaptive(let minimum, let maximum):
            if measuredRounds >= maximum { return .rounds }
            if measuredRounds >= minimum, !curves.isEmpty,
                curves.values.allSatisfy({ CurveResolution.isResolved($0, tolerance: tolerance) })
            {
                return .resolved
            }
        }
        if let budgetSeconds, measuredRounds >= 1, elapsedSeconds + roundSeconds > budgetSeconds { return .budget }
        return nil
    }
}

/// Whether the best point of one curve stands out from its rivals.
public enum CurveResolution {
    /// True when the point with the lowest median CPU time is, against each rival, either
    /// equivalent (rival's median within `tolerance` of the best's) or separated (the rival's
    /// lower quartile above the best's upper quartile). Rivals are the best's neighbours in the
    /// nursery grid and the default setting; when the default is best, the best grid point.
    ///
    /// - Parameter samples: CPU times per nursery setting (nil key = interpreter default). Points
    ///   with fewer than two samples cannot be judged, so such a curve is unresolved.
    public static func isResolved(_ samples: [Int64?: [Double]], tolerance: Double) -> Bool {
        guard samples.count >= 2, samples.values.allSatisfy({ $0.count >= 2 }) else { return false }
        let medians = samples.mapValues { quantile($0, 0.5) }
        guard let bestEntry = medians.min(by: { $0.value < $1.value }) else { return false }
        let best: Int64? = bestEntry.key
        let grid = samples.keys.compactMap { $0 }.sorted()
        var rivals: [Int64?] = []
        if let size = best, let index = grid.firstIndex(of: size) {
            if index > 0 { rivals.append(grid[index - 1]) }
            if index + 1 < grid.count { rivals.append(grid[index + 1]) }
            if samples[nil] != nil { rivals.append(nil) }
        } else if let bestGrid = grid.min(by: { medians[$0]! < medians[$1]! }) {
            rivals.append(bestGrid)
        }
        let bestMedian = medians[best]!
        let bestUpper = quantile(samples[best]!, 0.75)
        return rivals.allSatisfy { rival in
            let values = samples[rival]!
            return medians[rival]! <= bestMedian * (1 + tolerance) || quantile(values, 0.25) > bestUpper
        }
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
