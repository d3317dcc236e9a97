import Foundation

/// The fit's working form of a list of curves: flat arrays indexed by curve, no dictionaries.
///
/// Every formula's output is snapped to a power of two 2^e with e in `minExponent…maxExponent`,
/// so T is tabulated once per curve at each of those sizes and every later regret is a lookup.
struct CurveTable: Sendable {
    let minExponent: Int
    let exponentCount: Int
    /// count × exponentCount relative times, T(2^e) interpolated and clamped.
    private(set) var times: [Double] = []
    private(set) var bestTime: [Double] = []
    /// Regret of the default setting, from the measured control.
    private(set) var defaultRegret: [Double] = []
    /// log2 of the flat set's centre: the log-linear least-squares target.
    private(set) var target: [Double] = []
    private(set) var rows: [FeatureRow] = []
    /// Dense CPU-model index per curve.
    private(set) var groups: [Int] = []
    private(set) var groupCount = 0
    /// Dense machine index per curve.
    private(set) var machines: [Int] = []
    private(set) var machineCount = 0
    /// Index into the source list of curves.
    private(set) var sources: [Int] = []
    /// Each curve's ``FitCurve/weight``, finite and > 0 (other curves are not tabulated).
    private(set) var weights: [Double] = []
    /// Σ over machines of the largest weight among the machine's curves: how many machines the
    /// table is worth once weights are applied (``machineCount`` when every weight is 1).
    private(set) var effectiveMachines = 0.0

    var count: Int { sources.count }

    /// Tabulates `curves[i]` for every `i` in `indices` whose curve has a point and a weight
    /// that is finite and > 0.
    init(curves: [FitCurve], indices: [Int], exponents: ClosedRange<Int>, flatTolerance: Double) {
        minExponent = exponents.lowerBound
        exponentCount = exponents.count
        var groupIDs: [String: Int] = [:]
        var machineIDs: [String: Int] = [:]
        times.reserveCapacity(indices.count * exponentCount)
        for index in indices {
            let fitCurve = curves[index]
            let curve = fitCurve.curve
            let best = curve.bestRelativeTime
            guard !curve.hasNoPoints, best.isFinite, best > 0, fitCurve.weight.isFinite, fitCurve.weight > 0 else { continue }
            let nodes = curve.interpolationNodes
            nodes.log2Sizes.withUnsafeBufferPointer { xs in
                nodes.values.withUnsafeBufferPointer { ys in
                    for e in exponents { times.append(Curve.interpolate(xs: xs, ys: ys, at: Double(e))) }
                }
            }
            bestTime.append(best)
            defaultRegret.append(1 / best - 1)
            target.append(Self.flatCentre(curve, tolerance: flatTolerance))
            rows.append(FeatureRow(fitCurve.features))
            groups.append(Self.intern(fitCurve.cpuModel, &groupIDs))
            machines.append(Self.intern(fitCurve.machineID, &machineIDs))
            sources.append(index)
            weights.append(fitCurve.weight)
        }
        groupCount = groupIDs.count
        machineCount = machineIDs.count
        var machineWeight = [Double](repeating: 0, count: machineCount)
        for (machine, weight) in zip(machines, weights) { machineWeight[machine] = max(machineWeight[machine], weight) }
        effectiveMachines = machineWeight.reduce(0, +)
    }

    /// The weighted mean of per-curve `values` (table order), NaN where nothing is finite.
    func mean(_ values: [Double]) -> Double { Stats.weightedMean(values, weights: weights) }

    /// The weighted regret summary of per-curve `regrets` (table order).
    func regretSummary(_ regrets: [Double]) -> RegretSummary { RegretSummary(regrets, weights: weights) }

    /// The weighted gain summary of per-curve `gains` (table order).
    func gainSummary(_ gains: [Double]) -> GainSummary { GainSummary(gains, weights: weights) }

    /// Regret of curve `i` at 2^e, where e is an integer-valued exponent within range.
    @inline(__always)
    func regret(_ i: Int, exponent e: Double) -> Double {
        times[i * exponentCount + Int(e) - minExponent] / bestTime[i] - 1
    }

    /// Gain over the default of curve `i` at 2^e.
    @inline(__always)
    func gain(_ i: Int, exponent e: Double) -> Double {
        1 / times[i * exponentCount + Int(e) - minExponent] - 1
    }

    /// The integer exponent with the lowest tabulated T (first on ties): the per-curve oracle.
    func bestExponent(_ i: Int) -> Double {
        var best = 0
        for k in 1 ..< exponentCount where times[i * exponentCount + k] < times[i * exponentCount + best] { best = k }
        return Double(minExponent + best)
    }

    /// log2 of the centre of the flat set (grid points within `tolerance` of the best point).
    static func flatCentre(_ curve: Curve, tolerance: Double) -> Double {
        guard let best = BestNurseryEstimator.argmin(curve.relativeTime) else { return .nan }
        let limit = curve.relativeTime[best] * (1 + tolerance)
        var low = Double.infinity
        var high = -Double.infinity
        for index in curve.nurseries.indices where curve.relativeTime[index].isFinite && curve.relativeTime[index] <= limit {
            let x = log2(Double(curve.nurseries[index]))
            low = min(low, x)
            high = max(high, x)
        }
        return 0.5 * (low + high)
    }

    private static func intern(_ key: String, _ table: inout [String: Int]) -> Int {
        if let id = table[key] { return id }
        let id = table.count
        table[key] = id
        return id
    }
}
