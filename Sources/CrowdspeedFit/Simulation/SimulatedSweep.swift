import CrowdspeedCore
import Foundation

/// One simulated volunteer's sweep cut down to chosen sizes and to the rounds a stopping rule
/// runs, with what it cost in timed runs.
public struct SimulatedSweep: Sendable {
    /// The machine with its submission holding only the swept sizes and rounds.
    public var machine: SimulatedMachine
    /// Measured rounds run (the warm-up not counted).
    public var measuredRounds: Int
    public var stopReason: StopReason
    /// Benchmark processes timed, warm-up included: Σ over process counts of procs × (sizes + the
    /// default control) × rounds. The gcbench sweep only (the JSON timings do not change).
    public var timedRuns: Int
}

extension SimulatedMachine {
    /// This machine's sweep as a volunteer running `sizes(procs)` (plus the default control)
    /// under `rule` would have measured it: the same samples, the other sizes dropped, and each
    /// curve's rounds cut where `rule` finishes it (``StoppingRule/finishedCurves(measuredRounds:curves:)``),
    /// deciding after each round on the rounds so far as the agent does. The machine must have been simulated with at least `rule.maximumRounds` rounds.
    ///
    /// - Parameter warmupRounds: rounds the agent runs and discards first (counted in
    ///   ``SimulatedSweep/timedRuns`` only; the simulator draws no warm-up samples).
    public func sweep(sizes: (Int) -> [Int64], rule: StoppingRule, warmupRounds: Int = 1) -> SimulatedSweep {
        let available = submission.run?.rounds ?? 0
        let gcbench = submission.results.filter { $0.benchmark == BenchmarkName.gcbench }
        let planned = Dictionary(
            uniqueKeysWithValues: truth.procs.map { procs in (procs, Set(sizes(procs))) })
        let kept = gcbench.filter { result in
            guard let nursery = result.params.nurseryBytes else { return true }
            return planned[result.params.procs ?? 1]?.contains(nursery) ?? false
        }
        // As the agent's runner: after each round, finished curves stop being run.
        var roundsRun: [Int: Int] = [:]
        var rounds = 0
        var reason = StopReason.rounds
        while rounds < available {
            rounds += 1
            var curves: [Int: [Int64?: [Double]]] = [:]
            for result in kept {
                let procs = result.params.procs ?? 1
                let last = roundsRun[procs] ?? rounds
                curves[procs, default: [:]][result.params.nurseryBytes] = result.samples.filter {
                    $0.round < last && $0.failed != true
                }.map(\.cpuMs)
            }
            for procs in rule.finishedCurves(measuredRounds: rounds, curves: curves) where roundsRun[procs] == nil {
                roundsRun[procs] = rounds
            }
            if let decision = rule.decide(
                measuredRounds: rounds, curves: curves, elapsedSeconds: 0, roundSeconds: 0)
            {
                reason = decision
                break
            }
        }
        var cut = self
        cut.submission.results = kept.map { result in
            var trimmed = result
            let last = roundsRun[result.params.procs ?? 1] ?? rounds
            trimmed.samples = result.samples.filter { $0.round < last }
            return trimmed
        }
        cut.submission.run?.rounds = rounds
        cut.submission.run?.stopReason = reason.rawValue
        let timedRuns = truth.procs.reduce(0) { total, procs in
            total + procs * ((planned[procs]?.count ?? 0) + 1) * ((roundsRun[procs] ?? rounds) + warmupRounds)
        }
        return SimulatedSweep(
            machine: cut, measuredRounds: rounds, stopReason: reason,
            timedRuns: timedRuns)
    }
}
