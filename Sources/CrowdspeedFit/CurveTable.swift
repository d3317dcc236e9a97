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
        self.init(exponents: exponents, capacity: indices.count)
        var interning = Interning()
        for index in indices {
            append(curves[index], curve: curves[index].curve, source: index, flatTolerance: flatTolerance, &interning)
        }
        finish(interning)
    }

    /// The curves of `sources` restricted to their odd rounds, for every curve that has a
    /// point in both its odd and its even rounds, in `sources` order; with the sources admitted.
    ///
    /// Each restricted curve is tabulated as soon as it is built and then dropped, so the
    /// restricted copies of the input never exist all at once.
    ///
    /// - Returns: nil when no curve has a point in both halves.
    static func oddRounds(
        curves: [FitCurve], sources: [Int], exponents: ClosedRange<Int>, flatTolerance: Double
    ) -> (table: CurveTable, admitted: [Int])? {
        var table = CurveTable(exponents: exponents, capacity: sources.count)
        var interning = Interning()
        var admitted: [Int] = []
        for index in sources {
            let fitCurve = curves[index]
            let oddCurve = fitCurve.curve.restricted { $0 % 2 != 0 }
            guard !oddCurve.hasNoPoints, !fitCurve.curve.restricted(toRounds: { $0 % 2 == 0 }).hasNoPoints else {
                continue
            }
            admitted.append(index)
            table.append(fitCurve, curve: oddCurve, source: index, flatTolerance: flatTolerance, &interning)
        }
        guard !admitted.isEmpty else { return nil }
        table.finish(interning)
        return (table, admitted)
    }

    /// The curves of `sources` (as admitted by ``oddRounds(curves:sources:exponents:flatTolerance:)``)
    /// restricted to their even rounds.
    static func evenRounds(curves: [FitCurve], sources: [Int], exponents: ClosedRange<Int>, flatTolerance: Double)
        -> CurveTable
    {
        var table = CurveTable(exponents: exponents, capacity: sources.count)
        var interning = Interning()
        for index in sources {
            table.append(
                curves[index], curve: curves[index].curve.restricted { $0 % 2 == 0 }, source: index,
                flatTolerance: flatTolerance, &interning)
        }
        table.finish(interning)
        return table
    }

    /// Whether a curve with this weight gets a row (see ``init(curves:indices:exponents:flatTolerance:)``).
    static func admits(_ curve: Curve, weight: Double) -> Bool {
        let best = curve.bestRelativeTime
        return !curve.hasNoPoints && best.isFinite && best > 0 && weight.isFinite && weight > 0
    }

    /// The rows at `positions` (ascending) of this table: what tabulating their source curves
    /// anew would give, CPU models and machines numbered again in order of first appearance,
    /// without interpolating any curve twice.
    func subset(_ positions: [Int]) -> CurveTable {
        var table = CurveTable(exponents: minExponent...minExponent + exponentCount - 1, capacity: positions.count)
        var groupIDs = [Int](repeating: -1, count: groupCount)
        var machineIDs = [Int](repeating: -1, count: machineCount)
        for k in positions {
            table.times.append(contentsOf: times[k * exponentCount..<(k + 1) * exponentCount])
            table.bestTime.append(bestTime[k])
            table.defaultRegret.append(defaultRegret[k])
            table.target.append(target[k])
            table.rows.append(rows[k])
            if groupIDs[groups[k]] < 0 {
                groupIDs[groups[k]] = table.groupCount
                table.groupCount += 1
            }
            table.groups.append(groupIDs[groups[k]])
            if machineIDs[machines[k]] < 0 {
                machineIDs[machines[k]] = table.machineCount
                table.machineCount += 1
            }
            table.machines.append(machineIDs[machines[k]])
            table.sources.append(sources[k])
            table.weights.append(weights[k])
        }
        table.effectiveMachines = Self.effectiveMachines(
            machines: table.machines, weights: table.weights, count: table.machineCount)
        return table
    }

    /// An empty table.
    private init(exponents: ClosedRange<Int>, capacity: Int) {
        minExponent = exponents.lowerBound
        exponentCount = exponents.count
        times.reserveCapacity(capacity * exponentCount)
    }

    /// Dense numbering of CPU models and machines by first appearance.
    private struct Interning {
        var groups: [String: Int] = [:]
        var machines: [String: Int] = [:]
    }

    /// Tabulates `curve` (``FitCurve/curve`` of `fitCurve` or a restriction of it) when it has a
    /// point and `fitCurve`'s weight is finite and > 0.
    private mutating func append(
        _ fitCurve: FitCurve, curve: Curve, source: Int, flatTolerance: Double, _ interning: inout Interning
    ) {
        guard Self.admits(curve, weight: fitCurve.weight) else { return }
        let best = curve.bestRelativeTime
        let nodes = curve.interpolationNodes
        nodes.log2Sizes.withUnsafeBufferPointer { xs in
            nodes.values.withUnsafeBufferPointer { ys in
                for e in minExponent..<minExponent + exponentCount {
                    times.append(Curve.interpolate(xs: xs, ys: ys, at: Double(e)))
                }
            }
        }
        bestTime.append(best)
        defaultRegret.append(1 / best - 1)
        target.append(Self.flatCentre(curve, tolerance: flatTolerance))
        rows.append(FeatureRow(fitCurve.features))
        groups.append(Self.intern(fitCurve.cpuModel, &interning.groups))
        machines.append(Self.intern(fitCurve.machineID, &interning.machines))
        sources.append(source)
        weights.append(fitCurve.weight)
    }

    /// Sets the counts and ``effectiveMachines`` once every curve is in.
    private mutating func finish(_ interning: Interning) {
        groupCount = interning.groups.count
        machineCount = interning.machines.count
        effectiveMachines = Self.effectiveMachines(machines: machines, weights: weights, count: machineCount)
    }

    /// Σ over machines (in dense-id order) of the largest weight among the machine's curves.
    private static func effectiveMachines(machines: [Int], weights: [Double], count: Int) -> Double {
        var machineWeight = [Double](repeating: 0, count: count)
        for (machine, weight) in zip(machines, weights) { machineWeight[machine] = max(machineWeight[machine], weight) }
        return machineWeight.reduce(0, +)
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
        for k in 1..<exponentCount where times[i * exponentCount + k] < times[i * exponentCount + best] { best = k }
        return Double(minExponent + best)
    }

    /// log2 of the centre of the flat set (grid points within `tolerance` of the best point).
    static func flatCentre(_ curve: Curve, tolerance: Double) -> Double {
        guard let best = BestNurseryEstimator.argmin(curve.relativeTime) else { return .nan }
        let limit = curve.relativeTime[best] * (1 + tolerance)
        var low = Double.infinity
        var high = -Double.infinity
        for index in curve.nurseries.indices
        where curve.relativeTime[index].isFinite && curve.relativeTime[index] <= limit {
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
