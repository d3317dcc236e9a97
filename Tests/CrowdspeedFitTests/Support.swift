import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

/// True when `a` and `b` are within `tolerance` of each other (absolute); NaN is never close.
func isClose(_ a: Double, _ b: Double, tolerance: Double = 1e-12) -> Bool {
    a.isFinite && b.isFinite && abs(a - b) <= tolerance
}

let kib: Int64 = 1 << 10
let mib: Int64 = 1 << 20

/// A shared simulated population (computed once per test process: the expensive part).
enum Population {
    static let simulator = PopulationSimulator(seed: 20_261_125)
    static let machines = simulator.machines(count: 200)
    static let input = FitInput(submissions: machines.map(\.submission))
    static let report = FormulaSelection.fit(input)

    /// Every measured curve with the simulated machine it came from (and so its truth).
    static let truthPairs: [(machine: SimulatedMachine, curve: FitCurve)] = machines.flatMap { machine in
        FitCurve.curves(from: machine.submission).map { (machine, $0) }
    }
}

/// A curve from explicit (round, nursery or nil, cpu ms) triples.
func curve(_ samples: [(Int, Int64?, Double)], aggregation: ReplicateAggregation = .mean, defaultBytes: Int64? = nil)
    -> Curve
{
    Curve(
        samples: samples.map { CurveSample(round: $0.0, nurseryBytes: $0.1, cpuMs: $0.2) }, aggregation: aggregation,
        defaultNurseryBytes: defaultBytes)
}

/// A fit curve with hand-made relative times (one round) on the standard grid.
func handCurve(
    machine: String, model: String, features: MachineFeatures, times: [Double], version: String = "7.3.17",
    grid: [Int64] = (18...26).map { Int64(1) << Int64($0) }
) -> FitCurve {
    FitCurve(
        machineID: machine, cpuModel: model, features: features, interpreterVersion: version, workload: "gcbench@1",
        curve: Curve(
            nurseries: grid, roundIDs: [0, 1], roundRatios: times + times,
            defaultNurseryBytes: PyPyDefaultRule.nurseryBytes(version: version, features: features)))
}
