import CrowdspeedCore
import Foundation

/// A held-out experiment with known truth: fit on honest training machines plus planted fake
/// machines, then score the served recommendations on *unseen* honest machines' true curves.
///
/// This is the yardstick for robustness: the report's own held-out regret is computed on the
/// training curves, fakes included (or excluded by screening), so it cannot tell whether the
/// fakes moved the formula. Unseen machines' noiseless curves can.
public struct AttackScenario: Sendable, Equatable {
    /// Honest machines the fit sees: machines 0..<trainingMachines of the population.
    public var trainingMachines = 120
    /// Honest machines it never sees, scored on their true curves: the next ones after training.
    public var unseenMachines = 60
    /// Fake machines per honest training machine (0.3 = +30%, 1 = as many fakes as real ones).
    public var fakeFraction = 0.0
    /// What the fakes claim and where they come from.
    public var attack = AttackOptions()

    public init(
        trainingMachines: Int = 120, unseenMachines: Int = 60, fakeFraction: Double = 0,
        attack: AttackOptions = AttackOptions()
    ) {
        self.trainingMachines = trainingMachines
        self.unseenMachines = unseenMachines
        self.fakeFraction = fakeFraction
        self.attack = attack
    }

    /// The number of fake machines planted: `fakeFraction × trainingMachines`, rounded.
    public var fakeMachines: Int { Int((fakeFraction * Double(trainingMachines)).rounded()) }

    /// Mean true regrets on the unseen machines' curves (0.05 = 5% slower than each curve's true
    /// best on the grid), with the fit they came from.
    public struct Outcome: Sendable {
        /// The served recommendation (``FitReport/recommend(for:pypyVersion:)``, so PyPy's own
        /// size where the report says to keep the default).
        public var served: Double
        /// PyPy's own rule.
        public var pypyDefault: Double
        /// The fit's best single constant (its ``FitReport/baselines`` entry `best_constant`).
        public var bestConstant: Double
        /// Unseen curves scored.
        public var curves: Int
        /// Fake machines in the training input, and how many of them the fit flagged.
        public var fakes: Int
        public var flaggedFakes: Int
        /// Honest training machines the fit flagged (false alarms).
        public var flaggedHonest: Int
        public var report: FitReport
    }

    /// Runs the scenario on `simulator`'s population.
    ///
    /// - Parameters:
    ///   - simulator: the population (its seed fixes every machine, honest and fake).
    ///   - configuration: the fit's knobs; the default is what a server serves.
    /// - Returns: the outcome; regrets are NaN when there is no unseen curve.
    public func run(on simulator: PopulationSimulator, configuration: FitConfiguration = FitConfiguration()) -> Outcome
    {
        let honest = simulator.machines(count: trainingMachines)
        let unseen = (trainingMachines..<trainingMachines + max(0, unseenMachines)).map { simulator.machine(at: $0) }
        return Self.run(
            honest: honest, fakes: simulator.fakeMachines(count: fakeMachines, attack: attack), unseen: unseen,
            grid: simulator.grid, configuration: configuration)
    }

    /// Fits `honest` + `fakes` and scores the served recommendations on `unseen` machines' true
    /// curves (for callers that reuse machines across scenarios: simulating is the costly part).
    ///
    /// - Parameters:
    ///   - grid: the nursery sizes the true curves are tabulated on (``PopulationSimulator/grid``).
    /// - Returns: the outcome; regrets are NaN when `unseen` has no curve.
    public static func run(
        honest: [SimulatedMachine], fakes: [SimulatedMachine], unseen: [SimulatedMachine], grid: [Int64],
        configuration: FitConfiguration = FitConfiguration()
    ) -> Outcome {
        let input = FitInput(curves: (honest + fakes).flatMap(\.fitCurves))
        let report = FormulaSelection.fit(input, configuration: configuration)
        let bestConstant = report.baselines.first { $0.name == "best_constant" }?.formula
        var served: [Double] = []
        var pypy: [Double] = []
        var constant: [Double] = []
        for machine in unseen {
            let version = machine.submission.interpreter.version
            for curve in machine.fitCurves {
                let truth = machine.trueCurve(procs: curve.features.procs, grid: grid)
                let advice = report.recommend(for: curve.features, pypyVersion: version)
                served.append(truth.regret(ofNursery: advice.nurseryBytes))
                pypy.append(truth.regret(ofNursery: advice.pypyDefaultBytes))
                constant.append(bestConstant.map { truth.regret(ofNursery: $0.predict(curve.features)) } ?? .nan)
            }
        }
        let flagged = Set(report.screening?.flagged.map(\.machineID) ?? [])
        let fakeIDs = Set(fakes.map(\.submission.machine.machineID))
        let honestIDs = Set(honest.map(\.submission.machine.machineID)).subtracting(fakeIDs)
        return Outcome(
            served: Stats.mean(served), pypyDefault: Stats.mean(pypy), bestConstant: Stats.mean(constant),
            curves: served.count, fakes: fakes.count, flaggedFakes: flagged.intersection(fakeIDs).count,
            flaggedHonest: flagged.intersection(honestIDs).count, report: report)
    }
}
