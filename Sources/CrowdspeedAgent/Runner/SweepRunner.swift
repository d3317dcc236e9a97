import CrowdspeedCore
import Foundation

/// What a finished (or interrupted) sweep of one interpreter produced.
public struct SweepOutcome: Sendable, Equatable {
    /// Samples of finished measured rounds only, grouped by benchmark and params.
    public var results: [BenchmarkResult]
    public var measuredRounds: Int
    public var warmupRounds: Int
    public var stopReason: StopReason
    /// Samples marked failed (crashed or no result line).
    public var failedSamples: Int
}

/// Runs the rounds of one interpreter's sweep: every point once per round in the schedule's
/// seeded order, round 0 discarded as warm-up, until the stopping rule or an interrupt says stop.
///
/// Only whole rounds are kept: an interrupted round is dropped, so every kept round still has
/// every point once (the paired per-round ratios of the fit rely on that). A process count whose
/// curve the rule finishes (``StoppingRule/finishedCurves(measuredRounds:curves:)``) is left out
/// of later rounds as a whole, default control included, so its kept rounds stay paired too.
public struct SweepRunner: Sendable {
    public var pointRunner: PointRunner
    public var schedule: RoundSchedule
    public var rule: StoppingRule
    public var interruption: Interruption
    public var progress: ProgressReporter?

    public init(
        pointRunner: PointRunner, schedule: RoundSchedule, rule: StoppingRule, interruption: Interruption,
        progress: ProgressReporter?
    ) {
        self.pointRunner = pointRunner
        self.schedule = schedule
        self.rule = rule
        self.interruption = interruption
        self.progress = progress
    }

    /// Runs until stopped. Blocking (it waits on child processes); call it off the cooperative pool.
    ///
    /// - Throws: ``SpawnError`` when the interpreter cannot be started at all.
    public func run() throws -> SweepOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var kept: [ResultKey: [Sample]] = [:]
        var measuredRounds = 0
        var failed = 0
        var round = 0
        var stepsDone = 0
        var finished: Set<Int> = []
        var stepsPlanned = Self.stepsLeft(schedule: schedule, rule: rule, roundsStarted: 0, finished: [])
        var stopReason: StopReason

        roundLoop: while true {
            let roundStart = clock.now
            var pending: [Measurement] = []
            for point in schedule.order(round: round) {
                if case .gcbench(_, let procs) = point, finished.contains(procs) { continue }
                if interruption.isInterrupted {
                    stopReason = .interrupted
                    break roundLoop
                }
                var started: [pid_t] = []
                let measurements = try pointRunner.run(point) { pids in
                    started = pids
                    interruption.register(pids)
                }
                interruption.unregister(started)
                if interruption.isInterrupted {
                    stopReason = .interrupted
                    break roundLoop
                }
                for measurement in measurements where measurement.failed {
                    progress?.message(
                        "sample failed: \(point): \(measurement.failure ?? "no result"); the sweep goes on")
                }
                pending += measurements
                stepsDone += 1
                let elapsed = (clock.now - start).seconds
                var eta = Double(stepsPlanned - stepsDone) * elapsed / Double(stepsDone)
                if let budget = rule.budgetSeconds { eta = min(eta, max(0, budget - elapsed)) }
                let phase = schedule.isWarmup(round: round) ? "warm-up" : "round \(round - schedule.warmupRounds + 1)"
                progress?.step(done: stepsDone, total: stepsPlanned, label: "\(phase): \(point)", etaSeconds: eta)
            }
            if let index = schedule.measuredIndex(round: round) {
                for measurement in pending {
                    kept[measurement.resultKey, default: []].append(measurement.sample(round: index))
                    if measurement.failed { failed += 1 }
                }
                measuredRounds = index + 1
            }
            round += 1
            // A finished curve's samples no longer change, so it stays finished.
            finished.formUnion(rule.finishedCurves(measuredRounds: measuredRounds, curves: Self.curves(kept)))
            stepsPlanned =
                stepsDone + Self.stepsLeft(schedule: schedule, rule: rule, roundsStarted: round, finished: finished)
            if let reason = rule.decide(
                measuredRounds: measuredRounds, curves: Self.curves(kept),
                elapsedSeconds: (clock.now - start).seconds, roundSeconds: (clock.now - roundStart).seconds)
            {
                stopReason = reason
                break
            }
        }
        progress?.finish()
        let results = kept.map {
            BenchmarkResult(
                benchmark: $0.key.benchmark, benchmarkVersion: $0.key.benchmarkVersion, params: $0.key.params,
                samples: $0.value)
        }
        .sorted(by: Self.resultOrder)
        return SweepOutcome(
            results: results, measuredRounds: measuredRounds, warmupRounds: min(round, schedule.warmupRounds),
            stopReason: stopReason, failedSamples: failed)
    }

    /// The most steps still to run after `roundsStarted` rounds: every point whose curve is not
    /// finished, in every round the rule may still add. The progress bar's total and its ETA
    /// follow it, so a sweep whose curves finish early does not keep promising their rounds.
    static func stepsLeft(schedule: RoundSchedule, rule: StoppingRule, roundsStarted: Int, finished: Set<Int>) -> Int {
        let running = schedule.points.filter { point in
            if case .gcbench(_, let procs) = point { return !finished.contains(procs) }
            return true
        }
        return max(0, schedule.warmupRounds + rule.maximumRounds - roundsStarted) * running.count
    }

    /// Per process count, the CPU times of each nursery setting (failed samples left out).
    static func curves(_ kept: [ResultKey: [Sample]]) -> [Int: [Int64?: [Double]]] {
        var curves: [Int: [Int64?: [Double]]] = [:]
        for (key, samples) in kept where key.benchmark == BenchmarkName.gcbench {
            guard let procs = key.params.procs else { continue }
            curves[procs, default: [:]][key.params.nurseryBytes] = samples.filter { $0.failed != true }.map(\.cpuMs)
        }
        return curves
    }

    /// gcbench first (by procs, default before sizes, sizes ascending), then JSON by payload and library.
    static func resultOrder(_ a: BenchmarkResult, _ b: BenchmarkResult) -> Bool {
        func key(_ r: BenchmarkResult) -> (Int, Int, Int64, String, String, String) {
            (
                r.benchmark == BenchmarkName.gcbench ? 0 : 1, r.params.procs ?? 0, r.params.nurseryBytes ?? -1,
                r.params.payload ?? "", r.params.library ?? "", r.benchmark
            )
        }
        return key(a) < key(b)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double { milliseconds / 1000 }
}
