import CrowdspeedCore
import Foundation

/// Builds realistic submissions for store tests: a full gcbench sweep (the interpreter default
/// plus 256K…64M, procs 1 and 2) and JSON timings, with seeded pseudo-random but plausible
/// numbers, so each test states only what it varies.
public struct SubmissionFixture: Sendable {
    public var id: UUID
    /// RFC 3339 with milliseconds, parsed the way the server parses the wire.
    public var createdAt: String
    public var source: SubmissionSource
    public var machine: MachineInfo
    public var interpreter: InterpreterInfo
    public var rounds: Int
    public var seed: UInt64
    public var includeRun: Bool

    /// Every property has a default, so a test names only what it varies.
    public init(
        id: UUID = UUID(uuidString: "6F1C2D4E-8A3B-4C5D-9E6F-0A1B2C3D4E5F")!,
        createdAt: String = "2026-11-25T18:00:00.123Z", source: SubmissionSource = .agent,
        machine: MachineInfo = SubmissionFixture.epyc2Core,
        interpreter: InterpreterInfo = InterpreterInfo(
            implementation: "PyPy", version: "7.3.11", languageVersion: "3.9.16", executable: "pypy3"),
        rounds: Int = 10, seed: UInt64 = 0x5EED, includeRun: Bool = true
    ) {
        self.id = id
        self.createdAt = createdAt
        self.source = source
        self.machine = machine
        self.interpreter = interpreter
        self.rounds = rounds
        self.seed = seed
        self.includeRun = includeRun
    }

    /// The 2-core EPYC VM the design's measurements come from.
    public static let epyc2Core = MachineInfo(
        arch: "x86_64", os: "Linux", osVersion: "Debian 12", kernel: "6.1.0-26-amd64", cpuVendor: "AuthenticAMD",
        cpuModel: "AMD EPYC 7B13", physicalCores: 1, logicalCPUs: 2, memoryBytes: 4_109_926_400,
        caches: [
            CacheInfo(level: 1, type: .data, sizeBytes: 32 << 10, sharedBy: 2),
            CacheInfo(level: 1, type: .instruction, sizeBytes: 32 << 10, sharedBy: 2),
            CacheInfo(level: 2, type: .unified, sizeBytes: 512 << 10, sharedBy: 2),
            CacheInfo(level: 3, type: .unified, sizeBytes: 32 << 20, sharedBy: 2),
        ],
        cpuinfoCacheBytes: 512 << 10, virtualized: true, cpuQuota: 1.5)

    /// A desktop with SMT and no quota, to make a second machine.
    public static let i7 = MachineInfo(
        arch: "x86_64", os: "Linux", osVersion: "Ubuntu 24.04", kernel: "6.8.0-45-generic", cpuVendor: "GenuineIntel",
        cpuModel: "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", physicalCores: 6, logicalCPUs: 12,
        memoryBytes: 33_554_432_000,
        caches: [
            CacheInfo(level: 1, type: .data, sizeBytes: 32 << 10, sharedBy: 2),
            CacheInfo(level: 2, type: .unified, sizeBytes: 256 << 10, sharedBy: 2),
            CacheInfo(level: 3, type: .unified, sizeBytes: 12 << 20, sharedBy: 12),
        ],
        cpuinfoCacheBytes: 12 << 20, virtualized: false)

    /// The submission: (1 default + 9 sizes) × procs {1, 2} gcbench points plus 8 JSON points;
    /// with 10 rounds that is 380 samples.
    public func build() -> Submission {
        var random = SplitMix64(seed: seed)
        var results: [BenchmarkResult] = []
        let nurseries: [Int64?] = [nil] + (0..<9).map { Int64(256 << 10) << $0 }
        for procs in [1, 2] {
            for nursery in nurseries {
                let base = 2_000.0 * (nursery.map { 1 + abs(log2(Double($0) / Double(8 << 20))) * 0.04 } ?? 1.42)
                let samples = (0..<rounds).flatMap { round in
                    (0..<procs).map { _ in sample(base: base, round: round, random: &random) }
                }
                results.append(
                    BenchmarkResult(
                        benchmark: BenchmarkName.gcbench, benchmarkVersion: "1",
                        params: ResultParams(procs: procs, nurseryBytes: nursery), samples: samples))
            }
        }
        for benchmark in [BenchmarkName.jsonDumps, BenchmarkName.jsonLoads] {
            for payload in ["small-objects", "large-array"] {
                for library in ["json", "simplejson"] {
                    let samples = (0..<rounds).map { sample(base: 180, round: $0, random: &random) }
                    results.append(
                        BenchmarkResult(
                            benchmark: benchmark, benchmarkVersion: "1",
                            params: ResultParams(payload: payload, library: library), samples: samples))
                }
            }
        }
        return Submission(
            id: id, createdAt: RFC3339.parse(createdAt)!, agent: AgentInfo(name: "crowdspeed-agent", version: "0.1.0"),
            source: source, machine: machine, interpreter: interpreter,
            run: includeRun
                ? RunInfo(
                    seed: seed &* 0x9E37_79B9_7F4A_7C15, rounds: rounds, warmupRounds: 1, pypyGCMin: nil,
                    stopReason: "rounds") : nil,
            results: results)
    }

    /// One sample around `base` ms, with every optional flag state represented.
    private func sample(base: Double, round: Int, random: inout SplitMix64) -> Sample {
        let cpu = base * (1 + 0.05 * random.nextUnit())
        let load = random.nextUnit() * 0.3
        let flagState = random.next() % 5
        return Sample(
            wallMs: cpu * (1.02 + 0.5 * random.nextUnit()), cpuMs: cpu,
            maxRSSBytes: 90_000_000 + Int64(random.next() % 50_000_000),
            round: round, foreignLoad: load,
            noisy: flagState == 0 ? nil : flagState == 1 ? true : load > 0.2 ? true : false,
            failed: flagState == 4 ? false : nil)
    }
}
