import CrowdspeedCore
import Foundation

/// How a whole agent run is set up: which design, how to stop, which seed.
public struct SweepSettings: Sendable, Equatable {
    /// Nursery sizes for PyPy's gcbench sweep.
    public var nurseryGrid: [Int64]
    /// Process counts; nil means the protocol's 1, half and all physical cores.
    public var procs: [Int]?
    public var jsonPayloads: [String]
    public var rule: StoppingRule
    public var warmupRounds: Int
    public var seed: UInt64
    public var gcbenchDepth: Int
    /// Study mode (`--pin-gc-min`): when true every run gets `PYPY_GC_MIN` =
    /// ``pinnedGCMinBytes``, whatever the nursery, instead of PyPy's default of 8 × the nursery.
    public var pinGCMin = false
    /// The server's plans (`GET /api/v1/plan`) by PyPy interpreter command, then by process
    /// count: their sizes replace the grid there, and their stopping rule the adaptive one.
    /// Empty offline, with `--no-plan`, or when the server has none.
    public var plans: [String: [Int: PlanDocument]] = [:]

    public init(
        nurseryGrid: [Int64] = SweepDesign.defaultGrid, procs: [Int]? = nil,
        jsonPayloads: [String] = SweepDesign.allJSONPayloads,
        rule: StoppingRule = .adaptiveDefault, warmupRounds: Int = 1, seed: UInt64,
        gcbenchDepth: Int = WorkloadScripts.defaultDepth
    ) {
        self.nurseryGrid = nurseryGrid
        self.procs = procs
        self.jsonPayloads = jsonPayloads
        self.rule = rule
        self.warmupRounds = warmupRounds
        self.seed = seed
        self.gcbenchDepth = gcbenchDepth
    }

    /// The `PYPY_GC_MIN` of study mode: 8 × the grid's largest nursery, the floor PyPy gives that
    /// size by default.
    ///
    /// PyPy starts major collections no earlier than `PYPY_GC_MIN` bytes of heap, 8 × the nursery
    /// unless set; so in an ordinary sweep a larger nursery also delays major collections, and the
    /// curve cannot tell which of the two helped. Pinned at the largest size's own floor, every
    /// size (and the default control) has the same major-collection floor, as generous as any
    /// size gets by default, and what still differs along the curve is the nursery itself.
    public var pinnedGCMinBytes: Int64 { 8 * (nurseryGrid.max() ?? SweepDesign.defaultGrid.max()!) }

    /// The environment the children run in: `base`, with `PYPY_GC_MIN` set to
    /// ``pinnedGCMinBytes`` in study mode (replacing any value inherited from the shell).
    /// Outside study mode a `PYPY_GC_MIN` from the shell is kept and recorded as pinned too.
    public func environment(from base: [String: String]) -> [String: String] {
        guard pinGCMin else { return base }
        var environment = base
        environment["PYPY_GC_MIN"] = NurserySize.format(pinnedGCMinBytes)
        return environment
    }

    /// `--quick`: four nursery sizes 4× apart plus the default, one JSON payload, five measured
    /// rounds after the warm-up (under a minute in all on a shared 2-core EPYC with PyPy and CPython).
    public static func quick(seed: UInt64) -> SweepSettings {
        SweepSettings(
            nurseryGrid: SweepDesign.quickGrid, jsonPayloads: SweepDesign.quickJSONPayloads,
            rule: StoppingRule(mode: .fixed(rounds: 5)), seed: seed)
    }

    /// The design for one interpreter on one machine. CPython gets only the JSON workloads:
    /// it ignores `PYPY_GC_NURSERY`, so a nursery sweep would measure the same thing ten times.
    public func design(for interpreter: Interpreter, physicalCores: Int, cpuQuota: Double? = nil) -> SweepDesign {
        SweepDesign(
            nurseryGrid: nurseryGrid,
            plannedGrids: (plans[interpreter.command] ?? [:]).mapValues { $0.nurseries.map(\.nurseryBytes) },
            procs: procs ?? SweepDesign.processCounts(physicalCores: physicalCores, cpuQuota: cpuQuota),
            includeGCBench: interpreter.isPyPy, jsonPayloads: jsonPayloads,
            jsonLibraries: interpreter.hasSimplejson ? ["json", "simplejson"] : ["json"])
    }

    /// The stopping rule for one interpreter: a planned sweep's adaptive rule is its plan's (every
    /// process count's plan carries the same one; the most rounds any asks for wins); a JSON-only
    /// sweep has no nursery curve to resolve, so an adaptive rule becomes its minimum number of rounds.
    public func rule(for interpreter: Interpreter, design: SweepDesign, budgetSeconds: Double?) -> StoppingRule {
        var rule = self.rule
        let planned = (plans[interpreter.command] ?? [:]).values.map(\.stopping)
        if case .adaptive = rule.mode, let first = planned.first {
            rule.mode = .adaptive(
                minimum: planned.map(\.minimumRounds).max() ?? first.minimumRounds,
                maximum: planned.map(\.maximumRounds).max() ?? first.maximumRounds)
            rule.tolerance = first.tolerance
        }
        if !design.includeGCBench, case .adaptive(let minimum, _) = rule.mode { rule.mode = .fixed(rounds: minimum) }
        rule.budgetSeconds = budgetSeconds
        return rule
    }
}

/// One interpreter's finished sweep, ready to be sent.
public struct InterpreterRun: Sendable {
    public var interpreter: Interpreter
    public var outcome: SweepOutcome
    public var submission: Submission?
}

/// Runs the sweep on each interpreter in turn and builds one submission per interpreter.
public struct SweepSession: Sendable {
    public var machine: MachineInfo
    public var interpreters: [Interpreter]
    public var scripts: WorkloadScripts
    public var settings: SweepSettings
    public var environment: [String: String]
    public var interruption: Interruption
    public var progress: ProgressReporter?
    /// Clock and id source, injectable for tests.
    public var now: @Sendable () -> Date
    public var makeID: @Sendable () -> UUID

    public init(
        machine: MachineInfo, interpreters: [Interpreter], scripts: WorkloadScripts, settings: SweepSettings,
        environment: [String: String], interruption: Interruption, progress: ProgressReporter?,
        now: @escaping @Sendable () -> Date = { Date() }, makeID: @escaping @Sendable () -> UUID = { UUID() }
    ) {
        self.machine = machine
        self.interpreters = interpreters
        self.scripts = scripts
        self.settings = settings
        self.environment = environment
        self.interruption = interruption
        self.progress = progress
        self.now = now
        self.makeID = makeID
    }

    /// Sweeps every interpreter (stopping early on interrupt). The time budget is shared out
    /// evenly among the interpreters still to run, so time one leaves unused goes to the next.
    ///
    /// Blocking; call from a thread that may wait (see ``runDetached(_:)``).
    public func run() throws -> [InterpreterRun] {
        let environment = settings.environment(from: self.environment)
        let clock = ContinuousClock()
        let start = clock.now
        var runs: [InterpreterRun] = []
        for (index, interpreter) in interpreters.enumerated() {
            if interruption.isInterrupted { break }
            let budget = settings.rule.budgetSeconds.map { total in
                max(0, total - (clock.now - start).seconds) / Double(interpreters.count - index)
            }
            let design = settings.design(
                for: interpreter, physicalCores: machine.physicalCores, cpuQuota: machine.cpuQuota)
            let schedule = RoundSchedule(
                points: design.points, seed: settings.seed, warmupRounds: settings.warmupRounds)
            progress?.message(
                "\(interpreter.info.implementation) \(interpreter.info.version) (\(interpreter.command)): "
                    + "\(design.points.count) points per round, seed \(settings.seed)")
            let runner = SweepRunner(
                pointRunner: PointRunner(interpreter: interpreter, scripts: scripts, environment: environment),
                schedule: schedule, rule: settings.rule(for: interpreter, design: design, budgetSeconds: budget),
                interruption: interruption,
                progress: progress)
            let outcome = try runner.run()
            runs.append(
                InterpreterRun(
                    interpreter: interpreter, outcome: outcome,
                    submission: submission(interpreter: interpreter, outcome: outcome, environment: environment)))
        }
        return runs
    }

    /// The submission for one sweep, or nil when no measured round finished; its run records the
    /// children's `PYPY_GC_MIN` (the server keeps such curves as their own family).
    func submission(interpreter: Interpreter, outcome: SweepOutcome, environment: [String: String]) -> Submission? {
        guard outcome.measuredRounds > 0, !outcome.results.isEmpty else { return nil }
        let run = RunInfo(
            seed: settings.seed, rounds: outcome.measuredRounds, warmupRounds: outcome.warmupRounds,
            pypyGCMin: environment["PYPY_GC_MIN"], stopReason: outcome.stopReason.rawValue)
        return Submission(
            id: makeID(), createdAt: now(), agent: AgentIdentity.info, source: .agent, machine: machine,
            interpreter: interpreter.info, run: run, results: outcome.results)
    }
}

/// Runs blocking work (waiting on child processes) on its own thread, so the Swift concurrency
/// pool — two threads on a two-core machine — stays free.
public func runDetached<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
