import CrowdspeedCore
import Foundation

/// Knobs of the simulated agent and population.
public struct SimulationOptions: Sendable, Equatable {
    /// Measured rounds per machine (the warm-up round is not sent, as with the real agent).
    public var rounds = 5
    /// The nursery grid: powers of two from `gridLog2.lowerBound` to `upperBound` (256K…64M).
    public var gridLog2: ClosedRange<Int> = 18...26
    /// Per-machine CPU-time noise (multiplicative, log-normal σ per sample) is drawn from here.
    public var noiseRange: ClosedRange<Double> = 0.03...0.07
    /// σ of a per-round factor common to every sample of the round (drift the pairing cancels).
    public var roundDrift = 0.02
    /// Chance a sample is marked failed (its time is then partial and must be excluded).
    public var failureRate = 0.002
    /// Chance a sample is flagged noisy (kept; no effect on its time here).
    public var noisyRate = 0.01
    /// True to simulate runs with PYPY_GC_MIN pinned (see ``GroundTruth``).
    public var pinnedGCMin = false
    /// σ of the per-machine optimum effect ε, in log2 units.
    public var machineEffect = 0.2
    /// Extra log2 shift of the optimum per CPU vendor (e.g. `["ARM": 1.5]`), to simulate a
    /// hardware class the global formula cannot describe. Empty in the documented model.
    public var vendorOptimumShift: [String: Double] = [:]
    /// When set, the true optimum ignores the hardware and is this size (times 2^ε): a
    /// population where no cache formula can beat a constant.
    public var fixedOptimumBytes: Double?
    /// How many network blocks honest machines come from: machine i's origin is drawn from this
    /// many labels (so volunteers sometimes share a block, as in a lab or a company). Nil, the
    /// default: every honest machine has its own block. Affects ``SimulatedMachine/origin`` only.
    public var honestOrigins: Int?
    /// PyPy versions and their weights.
    public var versions: [(version: String, weight: Double)] = [("7.3.11", 0.3), ("7.3.16", 0.3), ("7.3.17", 0.4)]

    public init() {}

    public static func == (lhs: SimulationOptions, rhs: SimulationOptions) -> Bool {
        lhs.rounds == rhs.rounds && lhs.gridLog2 == rhs.gridLog2 && lhs.noiseRange == rhs.noiseRange
            && lhs.roundDrift == rhs.roundDrift && lhs.failureRate == rhs.failureRate && lhs.noisyRate == rhs.noisyRate
            && lhs.pinnedGCMin == rhs.pinnedGCMin && lhs.machineEffect == rhs.machineEffect
            && lhs.vendorOptimumShift == rhs.vendorOptimumShift && lhs.fixedOptimumBytes == rhs.fixedOptimumBytes
            && lhs.honestOrigins == rhs.honestOrigins
            && lhs.versions.map(\.version) == rhs.versions.map(\.version)
            && lhs.versions.map(\.weight) == rhs.versions.map(\.weight)
    }
}

/// A planted attack on a simulated population: fake machines that all claim the best nursery is
/// the largest, whatever their hardware, each from a fresh install token (so no per-install cap
/// binds) and all from a handful of network blocks.
public struct AttackOptions: Sendable, Equatable {
    /// log2 of the optimum every fake curve claims: 2^26.5 by default, past the agent's largest
    /// size (64M), so each fake curve keeps falling to the end of the grid.
    public var claimedOptimumLog2 = 26.5
    /// What each fake curve claims to gain at its optimum over the default setting (0.3 =
    /// the default is 30% slower), about what honest machines show: the made-up curves are
    /// flattened to it so that they do not stand out by an absurd speed-up.
    public var claimedGain = 0.3
    /// How many network blocks the fakes come from (fake i from block i mod this).
    public var originBlocks = 4
    /// Varies the attack independently of the population's seed.
    public var seed: UInt64 = 0

    public init(claimedOptimumLog2: Double = 26.5, claimedGain: Double = 0.3, originBlocks: Int = 4, seed: UInt64 = 0) {
        self.claimedOptimumLog2 = claimedOptimumLog2
        self.claimedGain = claimedGain
        self.originBlocks = originBlocks
        self.seed = seed
    }
}

/// A synthetic machine: the submission its agent would send, and the truth behind it.
public struct SimulatedMachine: Sendable, Equatable {
    /// A complete, valid wire submission with `source = .synthetic`.
    public var submission: Submission
    public var truth: GroundTruth
    /// The per-sample noise σ this machine was given.
    public var noiseSigma: Double
    /// The size PyPy's own rule picks here (what the default setting amounts to).
    public var defaultNurseryBytes: Int64
    /// The network block the submission came from, as the keyed-hash label a server would store
    /// (see ``FitCurve/origin``): honest machines come from many blocks, an attack's fake
    /// machines from a handful.
    public var origin: String
    /// True for a machine made up by an attack (``PopulationSimulator/fakeMachine(at:attack:)``);
    /// its ``truth`` is then what it claims, not a real machine's behaviour.
    public var isFake: Bool

    /// The measured fit curves, each labelled with ``origin``: what a server that records
    /// submitting networks would hand the fit. Weights stay 1 (every machine a fresh install).
    public var fitCurves: [FitCurve] {
        FitCurve.curves(from: submission).map { curve in
            var labelled = curve
            labelled.origin = origin
            return labelled
        }
    }

    /// The true optimum for `procs` in bytes (unsnapped), nil when not simulated.
    public func trueOptimum(procs: Int) -> Double? { truth.optimumBytes(procs: procs) }

    /// True CPU time at `nurseryBytes` relative to the default setting's: the quantity a
    /// measured curve estimates.
    public func trueRelativeTime(nurseryBytes: Double, procs: Int) -> Double? {
        guard let value = truth.relativeToOptimum(nurseryBytes: nurseryBytes, procs: procs),
            let control = truth.relativeToOptimum(nurseryBytes: Double(defaultNurseryBytes), procs: procs)
        else { return nil }
        return value / control
    }

    /// The noiseless curve for `procs` on the nursery sizes `grid`: one round whose ratios are
    /// the true relative times, so regrets on it are true regrets.
    public func trueCurve(procs: Int, grid: [Int64]) -> Curve {
        let ratios = grid.map { trueRelativeTime(nurseryBytes: Double($0), procs: procs) ?? .nan }
        return Curve(nurseries: grid, roundIDs: [0], roundRatios: ratios, defaultNurseryBytes: defaultNurseryBytes)
    }

    /// The machine's fit curves with the measured curves replaced by noiseless ones on `grid`.
    public func trueFitCurves(grid: [Int64]) -> [FitCurve] {
        FitCurve.curves(from: submission).map { measured in
            var curve = measured
            curve.curve = trueCurve(procs: measured.features.procs, grid: grid)
            return curve
        }
    }
}

/// Generates synthetic populations from the ground-truth model in ``GroundTruth`` and the
/// hardware mix in ``HardwareCatalog``, running the same sweep design as the real agent: every
/// round runs the default setting and each grid size for procs = 1, half the cores and all cores
/// (deduplicated), k samples for procs = k.
///
/// Machine `i` depends only on (seed, i), so a population can be generated lazily, in parallel,
/// or one machine at a time without holding all samples in memory.
public struct PopulationSimulator: Sendable {
    public var seed: UInt64
    public var options: SimulationOptions

    public init(seed: UInt64, options: SimulationOptions = SimulationOptions()) {
        self.seed = seed
        self.options = options
    }

    /// The nursery grid in bytes.
    public var grid: [Int64] { options.gridLog2.map { Int64(1) << Int64($0) } }

    /// Machines 0..<count.
    public func machines(count: Int) -> [SimulatedMachine] {
        (0..<max(0, count)).map { machine(at: $0) }
    }

    /// Machine `index` of the population.
    public func machine(at index: Int) -> SimulatedMachine {
        var rng = SplitMix64.stream(seed: seed, index: UInt64(truncatingIfNeeded: index))
        var machine = simulate(index: index, using: &rng, fake: nil)
        machine.origin = honestOrigin(index)
        return machine
    }

    /// The same machine drawn through the shared sweep; with `fake` set, its optimum is the
    /// attacker's target instead of the hardware's and its times are scaled so that the default
    /// setting costs an ordinary amount. Real machines draw exactly what they always drew, so
    /// populations of earlier seeds are unchanged.
    private func simulate(index: Int, using rng: inout SplitMix64, fake: AttackOptions?) -> SimulatedMachine {
        let spec = HardwareCatalog.draw(using: &rng)
        let cores = spec.coreOptions[Int.random(in: 0..<spec.coreOptions.count, using: &rng)]
        let machine = machineInfo(spec, cores: cores, using: &rng)
        let version = drawVersion(using: &rng)
        let procsList = Array(Set([1, max(1, cores / 2), cores])).sorted()

        // Ground truth.
        let features = MachineFeatures(machine: machine, procs: 1)!
        let epsilon = options.machineEffect * rng.nextGaussian()
        let coupling = (options.pinnedGCMin ? -0.5 : 0) + (options.vendorOptimumShift[spec.vendor] ?? 0)
        let log2Optimum = procsList.map { procs in
            let share = Double(features.lastLevelCacheBytes) / Double(procs)
            let hardware =
                options.fixedOptimumBytes.map { log2($0) } ?? 0.5 * log2(4 * Double(features.l2Bytes)) + 0.5
                * log2(share)
            if let fake {
                // The attacker's claim ignores the hardware; its spread is the honest machines' ε.
                return min(Double(options.gridLog2.upperBound + 1), max(19, fake.claimedOptimumLog2 + epsilon))
            }
            let raw = hardware + coupling + epsilon
            return min(25, max(19, raw))
        }
        // h ∈ [0.6, 0.9] puts f(−3), a nursery 8× below the optimum, at +28…+67%: around the +42%
        // measured for PyPy 7.3.11's 1M default against its 8M best on a 2-core EPYC (DESIGN.md).
        let halfWidth = 0.6 + 0.3 * rng.nextUnit()
        let left = 0.02 / (halfWidth * halfWidth * (1 + 0.15 * halfWidth))
        let truth = GroundTruth(
            procs: procsList, log2Optimum: log2Optimum, leftCurvature: left,
            rightCurvature: left / (options.pinnedGCMin ? 2 : 4))
        let defaultBytes = PyPyDefaultRule.nurseryBytes(version: version, features: features)
        let sigma =
            options.noiseRange.lowerBound + (options.noiseRange.upperBound - options.noiseRange.lowerBound)
            * rng.nextUnit()

        // The sweep.
        let settings: [Int64?] = [nil] + grid.map { Optional($0) }
        let baseMs = 1500 + 1000 * rng.nextUnit()
        let rounds = max(0, options.rounds)
        var results: [BenchmarkResult] = []
        for (procsIndex, procs) in procsList.enumerated() {
            let drifts = (0..<rounds).map { _ in options.roundDrift * rng.nextGaussian() }
            let contention = 1 + 0.08 * log2(Double(procs))
            // A fake machine reports ordinary times at the default setting and an ordinary gain
            // at its claimed optimum: its curve's excess over the minimum is scaled so that the
            // default costs (1 + claimedGain) × the best, then the whole curve so that the
            // default costs what an honest machine's optimum would.
            var excess = 1.0
            var scale = 1.0
            if let fake {
                let atDefault = truth.shape(log2(Double(defaultBytes)) - log2Optimum[procsIndex]) - 1
                if atDefault > fake.claimedGain { excess = fake.claimedGain / atDefault }
                scale = 1 / (1 + excess * atDefault)
            }
            for setting in settings {
                let n = Double(setting ?? defaultBytes)
                let f =
                    fake == nil
                    ? truth.shape(log2(n) - log2Optimum[procsIndex])
                    : scale * (1 + excess * (truth.shape(log2(n) - log2Optimum[procsIndex]) - 1))
                var samples: [Sample] = []
                samples.reserveCapacity(rounds * procs)
                for round in 0..<rounds {
                    for _ in 0..<procs {
                        var cpu = baseMs * contention * f * exp(sigma * rng.nextGaussian() + drifts[round])
                        let failed = rng.nextUnit() < options.failureRate
                        // A failed run dies part-way; never below the format's smallest timing.
                        if failed { cpu = max(0.001, cpu * rng.nextUnit()) }
                        let noisy = rng.nextUnit() < options.noisyRate
                        let wall = cpu * (1.02 + 0.1 * rng.nextUnit())
                        samples.append(
                            Sample(
                                wallMs: wall, cpuMs: cpu, maxRSSBytes: 60 << 20 + Int64(n) * 3, round: round,
                                foreignLoad: noisy ? 0.3 : 0.02 * rng.nextUnit(), noisy: noisy ? true : nil,
                                failed: failed ? true : nil))
                    }
                }
                results.append(
                    BenchmarkResult(
                        benchmark: BenchmarkName.gcbench, benchmarkVersion: "1",
                        params: ResultParams(procs: procs, nurseryBytes: setting), samples: samples))
            }
        }
        let submission = Submission(
            id: uuid(using: &rng), createdAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(index)),
            agent: AgentInfo(name: "crowdspeed-simulator", version: "1"), source: .synthetic, machine: machine,
            interpreter: InterpreterInfo(
                implementation: "PyPy", version: version, languageVersion: "3.10.14", executable: "pypy3"),
            run: RunInfo(
                seed: rng.next(), rounds: rounds, warmupRounds: 1, pypyGCMin: options.pinnedGCMin ? "64M" : nil,
                stopReason: "rounds"),
            results: results)
        return SimulatedMachine(
            submission: submission, truth: truth, noiseSigma: sigma, defaultNurseryBytes: defaultBytes,
            origin: "", isFake: fake != nil)
    }

    /// Fake machine `index` of an attack on this population (any index ≥ 0; independent of the
    /// honest machines and of every other fake).
    ///
    /// The hardware is drawn from the same catalog as honest machines, the sweep is the real
    /// agent's with the same noise, and the default setting costs an ordinary 1.5–2.5 s; only the
    /// curve is made up: its optimum sits at ``AttackOptions/claimedOptimumLog2`` (2^ε spread)
    /// whatever the hardware, with a gain over the default of ``AttackOptions/claimedGain``. Each fake stands for a fresh install (weight 1) and comes from one
    /// of ``AttackOptions/originBlocks`` network blocks.
    public func fakeMachine(at index: Int, attack: AttackOptions = AttackOptions()) -> SimulatedMachine {
        var rng = SplitMix64.stream(
            seed: seed ^ Self.attackDomain ^ attack.seed, index: UInt64(truncatingIfNeeded: index))
        var machine = simulate(index: index, using: &rng, fake: attack)
        let block = index % max(1, attack.originBlocks)
        machine.origin = Self.originLabel(seed: seed ^ Self.attackDomain ^ attack.seed, group: UInt64(block))
        return machine
    }

    /// Fake machines 0..<count of `attack`.
    public func fakeMachines(count: Int, attack: AttackOptions = AttackOptions()) -> [SimulatedMachine] {
        (0..<max(0, count)).map { fakeMachine(at: $0, attack: attack) }
    }

    /// Separates the attack's random streams from the honest machines' (an arbitrary constant).
    private static let attackDomain: UInt64 = 0xA77A_C4ED_F00D_5EED
    /// Separates origin labels from every machine's stream.
    private static let originDomain: UInt64 = 0x0121_6140_B10C_0000

    /// The origin of honest machine `index`: its own block, or one of ``SimulationOptions/honestOrigins``.
    private func honestOrigin(_ index: Int) -> String {
        var group = UInt64(truncatingIfNeeded: index)
        if let pool = options.honestOrigins, pool > 0 {
            var draw = SplitMix64.stream(seed: seed ^ Self.originDomain, index: group)
            group = draw.next() % UInt64(pool)
        }
        return Self.originLabel(seed: seed, group: group)
    }

    /// A keyed-hash-like label for network block `group`: 16 hex digits, stable for a seed.
    static func originLabel(seed: UInt64, group: UInt64) -> String {
        var mixer = SplitMix64.stream(seed: seed ^ originDomain, index: group &+ 0x5EED)
        let value = String(mixer.next(), radix: 16)
        return String(repeating: "0", count: 16 - value.count) + value
    }

    private func machineInfo(_ spec: CPUModelSpec, cores: Int, using rng: inout some RandomNumberGenerator)
        -> MachineInfo
    {
        let logical = spec.smt ? 2 * cores : cores
        let threadsPerCore = spec.smt ? 2 : 1
        var caches = [
            CacheInfo(
                level: 1, type: .data, sizeBytes: spec.vendor == "GenuineIntel" ? 48 << 10 : 32 << 10,
                sharedBy: threadsPerCore),
            CacheInfo(level: 1, type: .instruction, sizeBytes: 32 << 10, sharedBy: threadsPerCore),
            CacheInfo(
                level: 2, type: .unified, sizeBytes: spec.l2Bytes,
                sharedBy: min(logical, spec.l2SharedByCores * threadsPerCore)),
        ]
        if let l3 = spec.l3Bytes {
            caches.append(CacheInfo(level: 3, type: .unified, sizeBytes: l3, sharedBy: logical))
        }
        let cpuinfo: Int64? =
            switch spec.vendor {
            case "GenuineIntel": spec.l3Bytes ?? spec.l2Bytes
            case "AuthenticAMD": spec.l2Bytes
            default: nil
            }
        // Memory varies widely, as on real machines: the machine id includes it (whole GiB), so
        // same-model machines mostly get distinct ids, though identical hardware may share one.
        let memoryGiB = Int.random(in: max(4, cores)...max(8, cores * 8), using: &rng)
        return MachineInfo(
            arch: spec.arch, os: "Linux", osVersion: "Debian GNU/Linux 12",
            kernel: spec.arch == "x86_64" ? "6.1.0-28-amd64" : "6.1.0-28-arm64",
            cpuVendor: spec.vendor, cpuModel: spec.model, physicalCores: cores, logicalCPUs: logical,
            memoryBytes: Int64(memoryGiB) << 30, caches: caches, cpuinfoCacheBytes: cpuinfo,
            virtualized: spec.virtualized,
            cpuQuota: nil)
    }

    private func drawVersion(using rng: inout some RandomNumberGenerator) -> String {
        let total = options.versions.reduce(0) { $0 + $1.weight }
        var u = rng.nextUnit() * total
        for entry in options.versions {
            u -= entry.weight
            if u < 0 { return entry.version }
        }
        return options.versions.last?.version ?? "7.3.17"
    }

    private func uuid(using rng: inout some RandomNumberGenerator) -> UUID {
        let a = rng.next()
        let b = rng.next()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * UInt64(i)))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * UInt64(i)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40 // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80 // RFC 4122 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
