import CrowdspeedCore
import Foundation

/// A held-out experiment with known truth on the volunteer's time: the same training machines
/// sweep three ways, a formula is fitted on each way's submissions, and each formula is scored
/// on unseen machines' true curves (as in ``AttackScenario``).
///
/// 1. the full grid, a fixed 5 measured rounds (`--rounds 5`);
/// 2. the full grid, the agent's adaptive rule without a plan (``StoppingRule/adaptiveDefault``,
///    5–30 rounds, each process count stopping once its curve is resolved);
/// 3. the ``SweepPlan`` of a formula fitted on an earlier batch of machines (which swept the full
///    grid for 5 rounds), with the plan's own stopping rule.
///
/// Each training machine is simulated once with as many rounds as any way may run, and each way
/// keeps the sizes and rounds it would have run: the ways differ only in what they sweep, not in
/// the machines' luck.
public struct PlanScenario: Sendable, Equatable {
    /// Machines 0..<earlierMachines: the batch the planning formula is fitted on.
    public var earlierMachines = 60
    /// The next machines: they sweep each way, and each way's formula is fitted on them alone.
    public var trainingMachines = 120
    /// The machines after those, scored on their true curves.
    public var unseenMachines = 60

    public init(earlierMachines: Int = 60, trainingMachines: Int = 120, unseenMachines: Int = 60) {
        self.earlierMachines = earlierMachines
        self.trainingMachines = trainingMachines
        self.unseenMachines = unseenMachines
    }

    /// What one way of sweeping cost and what its formula is worth.
    public struct Arm: Sendable, Equatable {
        /// Median over training machines of the gcbench runs timed (``SimulatedSweep/timedRuns``).
        public var medianTimedRuns: Double
        /// Median measured rounds.
        public var medianRounds: Double
        /// Median sizes swept per process count, the default control not counted.
        public var medianSizes: Double
        /// Mean true regret of the formula fitted on this way's submissions, on the unseen curves.
        public var heldOutRegret: Double
        /// Unseen curves scored.
        public var curves: Int
    }

    /// The three ways on one population.
    public struct Outcome: Sendable, Equatable {
        public var fullFixed: Arm
        public var fullAdaptive: Arm
        public var planned: Arm
    }

    /// Runs the scenario on the population of `seed` (``SimulationOptions`` defaults otherwise).
    public func run(seed: UInt64, configuration: FitConfiguration = FitConfiguration()) -> Outcome {
        var options = SimulationOptions()
        let earlier = PopulationSimulator(seed: seed, options: options).machines(count: earlierMachines)
        let earlierInput = FitInput(curves: earlier.flatMap(\.fitCurves))
        let earlierReport = FormulaSelection.fit(earlierInput, configuration: configuration)
        let intervals = PredictionInterval.intervals(for: earlierReport, on: earlierInput)

        // Truth is drawn before the sweep, so the rounds simulated do not change the machine.
        options.rounds = max(StoppingRule.adaptiveDefault.maximumRounds, SweepPlan.plannedStopping.maximumRounds)
        let simulator = PopulationSimulator(seed: seed, options: options)
        var scoring = options
        scoring.rounds = 1
        let unseenRange = earlierMachines + trainingMachines..<earlierMachines + trainingMachines + unseenMachines
        let unseen = unseenRange.map { PopulationSimulator(seed: seed, options: scoring).machine(at: $0) }

        var fixed: [SimulatedSweep] = []
        var adaptive: [SimulatedSweep] = []
        var planned: [SimulatedSweep] = []
        var plannedSizes: [Double] = []
        for index in earlierMachines..<earlierMachines + trainingMachines {
            let machine = simulator.machine(at: index)
            let full: (Int) -> [Int64] = { _ in NurserySize.sweepGrid }
            fixed.append(machine.sweep(sizes: full, rule: StoppingRule(mode: .fixed(rounds: 5))))
            adaptive.append(machine.sweep(sizes: full, rule: .adaptiveDefault))
            let version = machine.submission.interpreter.version
            let plans = Dictionary(
                uniqueKeysWithValues: machine.truth.procs.compactMap { procs -> (Int, SweepPlan)? in
                    guard let features = MachineFeatures(machine: machine.submission.machine, procs: procs) else {
                        return nil
                    }
                    return (
                        procs,
                        SweepPlan.plan(
                            features: features, pypyVersion: version, report: earlierReport, intervals: intervals)
                    )
                })
            plannedSizes += plans.values.map { Double($0.nurseries.count) }
            // One rule for the machine: every process count's plan carries the same one.
            let rule = plans.values.first?.stopping ?? SweepPlan.plannedStopping
            planned.append(machine.sweep(sizes: { plans[$0]?.nurseries ?? [] }, rule: rule))
        }
        func arm(_ sweeps: [SimulatedSweep], sizes: [Double]) -> Arm {
            let outcome = AttackScenario.run(
                honest: sweeps.map(\.machine), fakes: [], unseen: unseen, grid: simulator.grid,
                configuration: configuration)
            return Arm(
                medianTimedRuns: Median.of(sweeps.map { Double($0.timedRuns) }) ?? .nan,
                medianRounds: Median.of(sweeps.map { Double($0.measuredRounds) }) ?? .nan,
                medianSizes: Median.of(sizes) ?? .nan, heldOutRegret: outcome.served, curves: outcome.curves)
        }
        let fullSizes = [Double(NurserySize.sweepGrid.count)]
        return Outcome(
            fullFixed: arm(fixed, sizes: fullSizes), fullAdaptive: arm(adaptive, sizes: fullSizes),
            planned: arm(planned, sizes: plannedSizes))
    }
}
