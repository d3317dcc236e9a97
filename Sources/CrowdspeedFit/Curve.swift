import CrowdspeedCore
import Foundation

/// One CPU-time measurement that goes into a curve.
public struct CurveSample: Sendable, Equatable {
    /// The measured round (warm-up excluded).
    public var round: Int
    /// The `PYPY_GC_NURSERY` setting, or nil for the interpreter's default (the control).
    public var nurseryBytes: Int64?
    /// User + system CPU time of the sample's process.
    public var cpuMs: Double
    /// Crashed or resultless samples are excluded from curves.
    public var failed: Bool

    public init(round: Int, nurseryBytes: Int64?, cpuMs: Double, failed: Bool = false) {
        self.round = round
        self.nurseryBytes = nurseryBytes
        self.cpuMs = cpuMs
        self.failed = failed
    }
}

/// How the k samples of one point in one round (procs = k processes started together) are
/// combined before the ratio is taken.
public enum ReplicateAggregation: String, Sendable, Codable {
    /// The mean: the total CPU work of the k processes, what a user of k processes pays.
    case mean
    /// The median: robust to one straggler, at some cost in efficiency.
    case median
}

/// One point of a curve as a reader sees it.
public struct CurvePoint: Sendable, Equatable, Codable {
    public var nurseryBytes: Int64
    /// Median over rounds of CPU time ÷ the same round's default-setting CPU time.
    public var relativeTime: Double
    /// Rounds that contributed a paired ratio.
    public var rounds: Int
}

/// CPU time against nursery size for one (machine, interpreter version, workload, procs),
/// relative to the interpreter's default setting.
///
/// Each round's time at a nursery setting is divided by the same round's time at the default
/// setting: paired ratios cancel drift between rounds (thermal state, other load). The curve's
/// value at a setting is the median of its ratios across rounds, so the default's own value is
/// 1.0 by construction. The per-round ratios are kept: the bootstrap resamples them, and the
/// noise-floor evaluation splits them into odd and even rounds.
///
/// Storage is flat (`roundRatios` is row-major, one row per round) so that a server can build
/// a curve from stored aggregates without raw samples and fits can scan it without hashing.
public struct Curve: Sendable, Equatable, Codable {
    /// The measured nursery settings, ascending and distinct (the default setting is not among them).
    public let nurseries: [Int64]
    /// The rounds that had a usable default-setting time, ascending.
    public let roundIDs: [Int]
    /// `roundIDs.count × nurseries.count` paired ratios, row-major; NaN where the round has no
    /// usable time at that setting.
    public let roundRatios: [Double]
    /// Per setting, the median ratio over rounds; NaN when no round has one.
    public let relativeTime: [Double]
    /// Per setting, how many rounds contributed.
    public let roundCounts: [Int]
    /// The nursery size the default setting amounts to (from ``PyPyDefaultRule``), when known:
    /// it places the control on the size axis for interpolation and charts.
    public var defaultNurseryBytes: Int64?

    /// Creates a curve from per-round paired ratios (what a store keeps as its aggregate).
    ///
    /// - Parameters:
    ///   - nurseries: settings, ascending and distinct; invalid orderings are sorted, with the
    ///     ratio columns permuted to match, and duplicates keep their first column.
    ///   - roundIDs: one per row of `roundRatios`.
    ///   - roundRatios: row-major ratios; non-finite or non-positive entries count as missing.
    ///     A matrix of the wrong size is treated as all missing.
    ///   - defaultNurseryBytes: see ``defaultNurseryBytes``.
    public init(nurseries: [Int64], roundIDs: [Int], roundRatios: [Double], defaultNurseryBytes: Int64? = nil) {
        let columns = nurseries.count
        let valid = roundRatios.count == roundIDs.count * columns
        // Already in order (a stored curve, a restriction of one): keep the arrays themselves,
        // so that curves with the same grid or rounds share their storage, and a stored curve's
        // ratios are not copied when they hold nothing to clean up (positive numbers and `.nan`).
        if valid, Self.isStrictlyAscending(nurseries), nurseries.first.map({ $0 > 0 }) ?? true,
            Self.isStrictlyAscending(roundIDs)
        {
            let ratios =
                roundRatios.allSatisfy(Self.isClean)
                ? roundRatios : roundRatios.map { $0.isFinite && $0 > 0 ? $0 : .nan }
            self.nurseries = nurseries
            self.roundIDs = roundIDs
            self.roundRatios = ratios
            self.defaultNurseryBytes = defaultNurseryBytes.flatMap { $0 > 0 ? $0 : nil }
            (relativeTime, roundCounts) = Self.columnMedians(ratios, rows: roundIDs.count, columns: columns)
            return
        }
        // Order columns by size, dropping repeated sizes, and rows by round.
        var columnOrder: [Int] = []
        for index in nurseries.indices.sorted(by: { nurseries[$0] < nurseries[$1] })
        where nurseries[index] > 0 && (columnOrder.last.map { nurseries[$0] != nurseries[index] } ?? true) {
            columnOrder.append(index)
        }
        let rowOrder = roundIDs.indices.sorted { roundIDs[$0] < roundIDs[$1] }
        var ratios = [Double](repeating: .nan, count: rowOrder.count * columnOrder.count)
        if valid {
            for (row, sourceRow) in rowOrder.enumerated() {
                for (column, sourceColumn) in columnOrder.enumerated() {
                    let value = roundRatios[sourceRow * columns + sourceColumn]
                    ratios[row * columnOrder.count + column] = value.isFinite && value > 0 ? value : .nan
                }
            }
        }
        self.nurseries = columnOrder.map { nurseries[$0] }
        self.roundIDs = rowOrder.map { roundIDs[$0] }
        self.roundRatios = ratios
        self.defaultNurseryBytes = defaultNurseryBytes.flatMap { $0 > 0 ? $0 : nil }
        (relativeTime, roundCounts) = Self.columnMedians(ratios, rows: rowOrder.count, columns: columnOrder.count)
    }

    /// Builds a curve from raw samples.
    ///
    /// Failed samples and samples whose CPU time is not a finite positive number are excluded.
    /// Within a round, the samples of one setting are combined with `aggregation`; rounds with no
    /// usable default-setting time are skipped entirely (no pair, no ratio).
    ///
    /// - Parameters:
    ///   - samples: any order; several per (round, setting) when procs > 1.
    ///   - aggregation: how the k samples of a point in a round are combined.
    ///   - defaultNurseryBytes: see ``defaultNurseryBytes``.
    /// - Returns: a curve; it has no points when no round had both a default and another setting.
    public init(samples: [CurveSample], aggregation: ReplicateAggregation = .mean, defaultNurseryBytes: Int64? = nil) {
        let usable = samples.filter { !$0.failed && $0.cpuMs.isFinite && $0.cpuMs > 0 }
        let sizes = Array(Set(usable.compactMap(\.nurseryBytes).filter { $0 > 0 })).sorted()
        let rounds = Array(Set(usable.map(\.round))).sorted()
        // Column 0 is the default; columns 1… are `sizes`. Bucket samples by (round, column).
        let width = sizes.count + 1
        var buckets = [[Double]](repeating: [], count: rounds.count * width)
        for sample in usable {
            guard let row = Self.binarySearch(rounds, sample.round) else { continue }
            let column: Int
            if let bytes = sample.nurseryBytes {
                guard let index = Self.binarySearch(sizes, bytes) else { continue }
                column = index + 1
            } else {
                column = 0
            }
            buckets[row * width + column].append(sample.cpuMs)
        }
        var keptRounds: [Int] = []
        var ratios: [Double] = []
        for (row, round) in rounds.enumerated() {
            let control = Self.aggregate(&buckets[row * width], aggregation)
            guard control.isFinite, control > 0 else { continue }
            keptRounds.append(round)
            for column in 1..<width {
                ratios.append(Self.aggregate(&buckets[row * width + column], aggregation) / control)
            }
        }
        self.init(nurseries: sizes, roundIDs: keptRounds, roundRatios: ratios, defaultNurseryBytes: defaultNurseryBytes)
    }

    /// The same curve built from a subset of its rounds (e.g. odd rounds only).
    ///
    /// - Parameter includeRound: decides per round id.
    public func restricted(toRounds includeRound: (Int) -> Bool) -> Curve {
        let columns = nurseries.count
        var ids: [Int] = []
        var ratios: [Double] = []
        for (row, round) in roundIDs.enumerated() where includeRound(round) {
            ids.append(round)
            ratios.append(contentsOf: roundRatios[row * columns..<(row + 1) * columns])
        }
        return Curve(nurseries: nurseries, roundIDs: ids, roundRatios: ratios, defaultNurseryBytes: defaultNurseryBytes)
    }

    /// The points with at least one round, ascending by size.
    public var points: [CurvePoint] {
        nurseries.indices.compactMap { index in
            roundCounts[index] > 0
                ? CurvePoint(
                    nurseryBytes: nurseries[index], relativeTime: relativeTime[index], rounds: roundCounts[index])
                : nil
        }
    }

    /// Rounds that had a usable default-setting time.
    public var roundCount: Int { roundIDs.count }

    /// Equal when the grids, rounds, default size and ratios are; missing cells (NaN) are equal
    /// to each other, so a curve read back from a store equals the one written.
    public static func == (lhs: Curve, rhs: Curve) -> Bool {
        lhs.nurseries == rhs.nurseries && lhs.roundIDs == rhs.roundIDs
            && lhs.defaultNurseryBytes == rhs.defaultNurseryBytes && lhs.roundRatios.count == rhs.roundRatios.count
            && zip(lhs.roundRatios, rhs.roundRatios).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// True when no setting other than the default has a value (e.g. only default runs).
    public var hasNoPoints: Bool { !roundCounts.contains { $0 > 0 } }

    // MARK: - Helpers

    /// True for a ratio that the cleaning in ``init(nurseries:roundIDs:roundRatios:defaultNurseryBytes:)``
    /// leaves bit for bit as it is.
    @inline(__always)
    static func isClean(_ ratio: Double) -> Bool {
        (ratio.isFinite && ratio > 0) || ratio.bitPattern == Double.nan.bitPattern
    }

    static func isStrictlyAscending<T: Comparable>(_ values: [T]) -> Bool {
        values.indices.dropFirst().allSatisfy { values[$0 - 1] < values[$0] }
    }

    static func columnMedians(_ ratios: [Double], rows: Int, columns: Int) -> ([Double], [Int]) {
        var medians = [Double](repeating: .nan, count: columns)
        var counts = [Int](repeating: 0, count: columns)
        var scratch: [Double] = []
        scratch.reserveCapacity(rows)
        for column in 0..<columns {
            scratch.removeAll(keepingCapacity: true)
            for row in 0..<rows {
                let value = ratios[row * columns + column]
                if value.isFinite { scratch.append(value) }
            }
            counts[column] = scratch.count
            medians[column] = Median.inPlace(&scratch) ?? .nan
        }
        return (medians, counts)
    }

    static func aggregate(_ values: inout [Double], _ aggregation: ReplicateAggregation) -> Double {
        guard !values.isEmpty else { return .nan }
        switch aggregation {
        case .mean: return values.reduce(0, +) / Double(values.count)
        case .median: return Median.inPlace(&values) ?? .nan
        }
    }

    static func binarySearch<T: Comparable>(_ sorted: [T], _ value: T) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == value ? low : nil
    }
}
