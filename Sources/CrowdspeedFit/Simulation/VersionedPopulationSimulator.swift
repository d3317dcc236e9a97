import CrowdspeedCore
import Foundation

/// Knobs of a population followed across interpreter versions.
public struct VersionedSimulationOptions: Sendable, Equatable {
    /// The hardware mix, noise, rounds and nursery grid, as for ``PopulationSimulator``; its
    /// `versions` are not used (``pypyVersions`` says which versions exist).
    public var population = SimulationOptions()
    /// The PyPy versions of the population, any order.
    public var pypyVersions = ["7.3.16", "7.3.17"]
    /// The CPython versions machines may have; each machine with CPython has one of them.
    public var cpythonVersions = ["3.12.3"]
    /// Share of machines that ran every PyPy version (the rest ran one, drawn uniformly): the
    /// machines a paired comparison can use.
    public var repeatShare = 0.7
    /// Share of machines that also ran the agent with CPython (JSON benchmarks only).
    public var cpythonShare = 0.8
    /// Planted differences between versions; none by default.
    public var effects: [VersionEffect] = []
    /// False to run gcbench at the default setting only (no nursery grid): ten times fewer
    /// samples, for studies of the comparisons that do not need curves.
    public var measureNurseryGrid = true
    /// JSON payloads and libraries run on every interpreter.
    public var jsonPayloads = ["records", "nested", "text", "numbers"]
    public var jsonLibraries = ["json"]
    /// σ of a per-run factor common to every sample of one submission: runs of one machine
    /// weeks apart differ (kernel, firmware, thermal state), which pairing does not cancel.
    public var runDrift = 0.01
    /// Gives each simulated machine its own machine id (through its memory size, which is part
    /// of the id and of no fit), so that two simulated machines with identical hardware are not
    /// paired as one.
    public var distinctMachineIDs = true

    public init() {}
}

/// One simulated machine followed across versions: its hardware and truth, and every
/// submission it sent.
public struct SimulatedHistory: Sendable, Equatable {
    public var index: Int
    public var machine: MachineInfo
    public var hardwareClass: HardwareClass
    public var truth: GroundTruth
    /// Per-sample CPU-time noise σ of this machine.
    public var noiseSigma: Double
    /// One PyPy submission per PyPy version it ran (gcbench and JSON), then its CPython one if any.
    public var submissions: [Submission]
    /// What the simulator planted, kept to answer ``trueRatio(key:from:to:)``.
    var effects: [VersionEffect]
    var grid: [Int64]
    var measuredGrid: Bool

    /// The interpreters this machine ran.
    public var interpreters: [InterpreterKey] {
        submissions.map {
            InterpreterKey(implementation: $0.interpreter.implementation, version: $0.interpreter.version)
        }
    }

    /// The true ratio to / from of this machine's expected CPU time for `key`: what a paired
    /// comparison estimates, without noise.
    ///
    /// For gcbench at the default setting it includes the change of PyPy's default rule and of
    /// the optimum between versions; at the best setting, the lowest true time over the default
    /// and the grid. nil for keys the simulator does not run (gcbench on CPython, an unknown
    /// procs, payload or library).
    public func trueRatio(key: BenchmarkKey, from: InterpreterKey, to: InterpreterKey) -> Double? {
        guard let a = expectedTime(key: key, interpreter: from), let b = expectedTime(key: key, interpreter: to)
        else { return nil }
        return b / a
    }

    /// Expected CPU time up to factors common to every interpreter of this machine.
    func expectedTime(key: BenchmarkKey, interpreter: InterpreterKey) -> Double? {
        let matching = effects.filter {
            $0.applies(to: interpreter, hardwareClass: hardwareClass, benchmark: key.benchmark)
        }
        let factor = matching.reduce(1.0) { $0 * $1.cpuTimeFactor }
        if key.benchmark == BenchmarkName.gcbench {
            guard interpreter.isImplementation("PyPy"), let procs = key.params.procs,
                let procsIndex = truth.procs.firstIndex(of: procs),
                let features = MachineFeatures(machine: machine, procs: 1), let nursery = key.params.nursery
            else { return nil }
            let optimum = truth.log2Optimum[procsIndex] + matching.reduce(0.0) { $0 + $1.optimumShiftLog2 }
            let defaultBytes = PyPyDefaultRule.nurseryBytes(version: interpreter.version, features: features)
            let sizes = nursery == .default || !measuredGrid ? [defaultBytes] : [defaultBytes] + grid
            return factor * (sizes.map { truth.shape(log2(Double($0)) - optimum) }.min() ?? .nan)
        }
        guard let payload = key.params.payload, let library = key.params.library,
            VersionedPopulationSimulator.jsonBaseMs[payload] != nil,
            VersionedPopulationSimulator.libraryFactor[library] != nil
        else { return nil }
        return factor * VersionedPopulationSimulator.implementationFactor(interpreter, benchmark: key.benchmark)
    }
}

/// Simulates the same machines measuring several interpreter versions, with planted, known
/// differences between versions (``VersionEffect``): the data a speed center's paired
/// comparisons are tested and demonstrated on.
///
/// Machine `i` has the hardware and ground truth of ``PopulationSimulator`` machine `i` with
/// the same seed and population options (memory aside, see
/// ``VersionedSimulationOptions/distinctMachineIDs``); its base speed and per-payload
/// affinities stay fixed across its runs, while each run draws its own noise. PyPy runs
/// measure gcbench like the simulated agent (every round: the default setting and the grid,
/// for procs 1, half and all cores, k samples at procs = k) and the JSON payloads (one
/// sample per round); CPython runs measure the JSON payloads only.
///
/// The JSON model: per payload a base time, times the machine's speed, a per-(machine,
/// payload, benchmark, library) affinity (σ 8%, the same for every interpreter), an
/// implementation factor (PyPy against CPython: dumps ×0.6, loads ×1.3), a library factor
/// (`simplejson` ×1.15) and the planted effects, with the machine's noise per sample.
///
/// Kept apart from ``PopulationSimulator`` on purpose: its defaults, and every test that
/// asserts things on them, stay exactly as they are.
public struct VersionedPopulationSimulator: Sendable {
    public var seed: UInt64
    public var options: VersionedSimulationOptions

    public init(seed: UInt64, options: VersionedSimulationOptions = VersionedSimulationOptions()) {
        self.seed = seed
        self.options = options
    }

    /// JSON base times (ms per run, on a machine of speed 1 with CPython) for dumps and loads.
    static let jsonBaseMs: [String: (dumps: Double, loads: Double)] = [
        "records": (8.0, 11.0), "nested": (12.5, 10.0), "text": (3.5, 6.0), "numbers": (7.0, 8.5),
    ]
    /// Library factors, the same on every interpreter.
    static let libraryFactor: [String: Double] = ["json": 1.0, "simplejson": 1.15]

    /// CPU time of `interpreter` relative to CPython's for a JSON benchmark (before effects).
    static func implementationFactor(_ interpreter: InterpreterKey, benchmark: String) -> Double {
        guard interpreter.isImplementation("PyPy") else { return 1 }
        return benchmark == BenchmarkName.jsonLoads ? 1.3 : 0.6
    }

    /// Histories 0..<count.
    public func histories(count: Int) -> [SimulatedHistory] {
        (0..<max(0, count)).map { history(at: $0) }
    }

    /// Every submission of machines 0..<count, machine by machine.
    public func submissions(count: Int) -> [Submission] {
        histories(count: count).flatMap(\.submissions)
    }

    /// Machine `index`: depends only on (seed, options, index).
    public func history(at index: Int) -> SimulatedHistory {
        // The base simulator's machine without its sweep: hardware, truth and noise are drawn
        // before any sample, so zero rounds gives the same machine for almost no work.
        var hardwareOptions = options.population
        hardwareOptions.rounds = 0
        let base = PopulationSimulator(seed: seed, options: hardwareOptions).machine(at: index)
        var machine = base.submission.machine
        if options.distinctMachineIDs {
            machine.memoryBytes = Int64(4 + index % 60_000) << 30
        }
        let hardwareClass = HardwareClass(arch: machine.arch, cpuVendor: machine.cpuVendor)
        var rng = SplitMix64.stream(seed: seed ^ 0x5645_5253_494F_4E53, index: UInt64(truncatingIfNeeded: index))

        // Constant across this machine's runs.
        let gcbenchBaseMs = 1500 + 1000 * rng.nextUnit()
        let jsonSpeed = 0.7 + 0.6 * rng.nextUnit()
        var affinity: [String: Double] = [:]
        for payload in options.jsonPayloads {
            for library in options.jsonLibraries {
                for benchmark in [BenchmarkName.jsonDumps, BenchmarkName.jsonLoads] {
                    affinity["\(payload)/\(library)/\(benchmark)"] = exp(0.08 * rng.nextGaussian())
                }
            }
        }
        let versions = options.pypyVersions
        var runs: [InterpreterKey] = []
        if !versions.isEmpty {
            if rng.nextUnit() < options.repeatShare {
                runs = versions.map { InterpreterKey(implementation: "PyPy", version: $0) }
            } else {
                runs = [InterpreterKey(implementation: "PyPy", version: versions[rng.below(versions.count)])]
            }
        }
        if !options.cpythonVersions.isEmpty && rng.nextUnit() < options.cpythonShare {
            let version = options.cpythonVersions[rng.below(options.cpythonVersions.count)]
            runs.append(InterpreterKey(implementation: "CPython", version: version))
        }

        let context = RunContext(
            machine: machine, hardwareClass: hardwareClass, truth: base.truth, sigma: base.noiseSigma,
            gcbenchBaseMs: gcbenchBaseMs, jsonSpeed: jsonSpeed, affinity: affinity)
        var submissions: [Submission] = []
        for (runIndex, interpreter) in runs.enumerated() {
            submissions.append(
                submission(
                    interpreter, context: context, createdAt: 1_780_000_000 + Double(index) + 3_600 * Double(runIndex),
                    using: &rng))
        }
        return SimulatedHistory(
            index: index, machine: machine, hardwareClass: hardwareClass, truth: base.truth,
            noiseSigma: base.noiseSigma, submissions: submissions, effects: options.effects,
            grid: PopulationSimulator(seed: seed, options: options.population).grid,
            measuredGrid: options.measureNurseryGrid)
    }

    /// What stays fixed across one machine's runs.
    private struct RunContext {
        var machine: MachineInfo
        var hardwareClass: HardwareClass
        var truth: GroundTruth
        var sigma: Double
        var gcbenchBaseMs: Double
        var jsonSpeed: Double
        var affinity: [String: Double]
    }

    /// One agent run of `interpreter` on the machine.
    private func submission(
        _ interpreter: InterpreterKey, context: RunContext, createdAt: Double, using rng: inout SplitMix64
    ) -> Submission {
        let population = options.population
        let rounds = max(0, population.rounds)
        let runFactor = exp(options.runDrift * rng.nextGaussian())
        let effects = options.effects.filter {
            $0.implementation.lowercased() == interpreter.implementation.lowercased()
                && $0.version == interpreter.version
                && ($0.hardwareClass.map { $0 == context.hardwareClass } ?? true)
        }
        func factor(_ benchmark: String) -> Double {
            effects.filter { $0.benchmark == benchmark }.reduce(runFactor) { $0 * $1.cpuTimeFactor }
        }
        var results: [BenchmarkResult] = []
        if interpreter.isImplementation("PyPy"), let features = MachineFeatures(machine: context.machine, procs: 1) {
            let shift = effects.filter { $0.benchmark == BenchmarkName.gcbench }.reduce(0.0) {
                $0 + $1.optimumShiftLog2
            }
            let defaultBytes = PyPyDefaultRule.nurseryBytes(version: interpreter.version, features: features)
            let grid = options.measureNurseryGrid ? population.gridLog2.map { Int64(1) << Int64($0) } : []
            let settings: [Int64?] = [nil] + grid.map { Optional($0) }
            let gcFactor = factor(BenchmarkName.gcbench)
            for (procsIndex, procs) in context.truth.procs.enumerated() {
                let drifts = (0..<rounds).map { _ in population.roundDrift * rng.nextGaussian() }
                let contention = 1 + 0.08 * log2(Double(procs))
                let optimum = context.truth.log2Optimum[procsIndex] + shift
                for setting in settings {
                    let n = Double(setting ?? defaultBytes)
                    let mean = context.gcbenchBaseMs * contention * context.truth.shape(log2(n) - optimum) * gcFactor
                    var samples: [Sample] = []
                    samples.reserveCapacity(rounds * procs)
                    for round in 0..<rounds {
                        for _ in 0..<procs {
                            samples.append(
                                sample(
                                    mean * exp(context.sigma * rng.nextGaussian() + drifts[round]), round: round,
                                    rssBytes: 60 << 20 + Int64(n) * 3, using: &rng))
                        }
                    }
                    results.append(
                        BenchmarkResult(
                            benchmark: BenchmarkName.gcbench, benchmarkVersion: "1",
                            params: ResultParams(procs: procs, nurseryBytes: setting), samples: samples))
                }
            }
        }
        let drifts = (0..<rounds).map { _ in population.roundDrift * rng.nextGaussian() }
        for payload in options.jsonPayloads {
            guard let base = Self.jsonBaseMs[payload] else { continue }
            for library in options.jsonLibraries {
                let libraryFactor = Self.libraryFactor[library] ?? 1
                for (benchmark, baseMs) in [
                    (BenchmarkName.jsonDumps, base.dumps), (BenchmarkName.jsonLoads, base.loads),
                ] {
                    let mean =
                        baseMs * context.jsonSpeed * (context.affinity["\(payload)/\(library)/\(benchmark)"] ?? 1)
                        * Self.implementationFactor(interpreter, benchmark: benchmark) * libraryFactor
                        * factor(benchmark)
                    let samples = (0..<rounds).map { round in
                        sample(
                            mean * exp(context.sigma * rng.nextGaussian() + drifts[round]), round: round,
                            rssBytes: 40 << 20, using: &rng)
                    }
                    results.append(
                        BenchmarkResult(
                            benchmark: benchmark, benchmarkVersion: "1",
                            params: ResultParams(payload: payload, library: library), samples: samples))
                }
            }
        }
        let isPyPy = interpreter.isImplementation("PyPy")
        return Submission(
            id: uuid(using: &rng), createdAt: Date(timeIntervalSince1970: createdAt),
            agent: AgentInfo(name: "crowdspeed-simulator", version: "1"), source: .synthetic, machine: context.machine,
            interpreter: InterpreterInfo(
                implementation: interpreter.implementation, version: interpreter.version,
                languageVersion: isPyPy ? "3.10.14" : interpreter.version, executable: isPyPy ? "pypy3" : "python3"),
            run: RunInfo(
                seed: rng.next(), rounds: rounds, warmupRounds: 1, pypyGCMin: population.pinnedGCMin ? "64M" : nil,
                stopReason: "rounds"),
            results: results)
    }

    /// One sample around `cpuMs`, failed or flagged noisy at the population's rates.
    private func sample(_ cpuMs: Double, round: Int, rssBytes: Int64, using rng: inout SplitMix64) -> Sample {
        var cpu = cpuMs
        let failed = rng.nextUnit() < options.population.failureRate
        // A failed run dies part-way; never below the format's smallest timing.
        if failed { cpu = max(0.001, cpu * rng.nextUnit()) }
        let noisy = rng.nextUnit() < options.population.noisyRate
        return Sample(
            wallMs: cpu * (1.02 + 0.1 * rng.nextUnit()), cpuMs: cpu, maxRSSBytes: rssBytes, round: round,
            foreignLoad: noisy ? 0.3 : 0.02 * rng.nextUnit(), noisy: noisy ? true : nil, failed: failed ? true : nil)
    }

    /// A version-4 UUID from the generator.
    private func uuid(using rng: inout SplitMix64) -> UUID {
        let words = [rng.next(), rng.next()]
        var bytes = (0..<16).map { UInt8(truncatingIfNeeded: words[$0 / 8] >> (8 * UInt64($0 % 8))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
