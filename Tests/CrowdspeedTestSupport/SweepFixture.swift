import CrowdspeedCore
import Foundation

/// Builds realistic submissions: a full agent sweep of PyPy's GC benchmark on a 2-core AMD EPYC
/// (the interpreter default plus nine powers of two from 256K to 64M, at 1 and 2 processes, 20
/// measured rounds — 400 samples) and a JSON workload, with timings drawn from a plausible
/// U-shaped curve plus seeded noise. Values are rounded to what an agent sends (3 decimals, whole
/// milliseconds for dates) so that a round trip through JSON is exact.
///
public enum SweepFixture {
    /// When the fixture's run was made.
    public static let createdAt = Date(timeIntervalSince1970: 1_795_000_000)
    /// The fixed server clock the tests use: a minute after the run.
    public static let now = createdAt.addingTimeInterval(60)
    /// The fixture's default submission id.
    public static let id = UUID(uuidString: "3B0D6F7C-1E2A-4C5B-9D8E-7F6A5B4C3D2E")!

    /// The nursery settings of a default agent sweep: nil is the interpreter's own default.
    public static let nurseries: [Int64?] = [nil] + (18...26).map { Int64(1) << $0 }

    /// A 2-core AMD EPYC VM, as the agent's Linux probe reports it.
    public static func machine(model: String = "AMD EPYC 7B13", memoryBytes: Int64 = 25_165_824_000) -> MachineInfo {
        MachineInfo(
            arch: "x86_64", os: "Linux", osVersion: "Debian GNU/Linux 12 (bookworm)", kernel: "6.1.0-28-amd64",
            cpuVendor: "AuthenticAMD", cpuModel: model, physicalCores: 1, logicalCPUs: 2, memoryBytes: memoryBytes,
            caches: [
                CacheInfo(level: 1, type: .data, sizeBytes: 32 << 10, sharedBy: 2),
                CacheInfo(level: 1, type: .instruction, sizeBytes: 32 << 10, sharedBy: 2),
                CacheInfo(level: 2, type: .unified, sizeBytes: 512 << 10, sharedBy: 2),
                CacheInfo(level: 3, type: .unified, sizeBytes: 32 << 20, sharedBy: 2),
            ],
            cpuinfoCacheBytes: 512 << 10, virtualized: true, cpuQuota: nil)
    }

    /// A full sweep: 10 nursery settings × 2 process counts × `rounds` rounds of gcbench, plus one
    /// json.dumps result.
    public static func make(id: UUID = id, machine: MachineInfo = machine(), rounds: Int = 20, seed: UInt64 = 7)
        -> Submission
    {
        var random = SplitMix64(seed: seed)
        var results: [BenchmarkResult] = []
        for procs in [1, 2] {
            for nursery in nurseries {
                let base = curve(nursery: nursery, procs: procs)
                let samples = (0..<rounds).map { round in
                    let cpu = rounded(base * (1 + 0.04 * random.nextUnit()))
                    return Sample(
                        wallMs: rounded(cpu * (1.02 + 0.3 * random.nextUnit())), cpuMs: cpu,
                        maxRSSBytes: 58_000_000 + Int64(nursery ?? (1 << 20)) * 3, round: round,
                        foreignLoad: rounded(0.05 * random.nextUnit()),
                        noisy: round == 7 ? true : nil)
                }
                results.append(
                    BenchmarkResult(
                        benchmark: BenchmarkName.gcbench, benchmarkVersion: "1",
                        params: ResultParams(procs: procs, nurseryBytes: nursery), samples: samples))
            }
        }
        results.append(
            BenchmarkResult(
                benchmark: BenchmarkName.jsonDumps, benchmarkVersion: "1",
                params: ResultParams(payload: "records-1k", library: "json"),
                samples: (0..<rounds).map {
                    Sample(
                        wallMs: 12.5 + Double($0) / 8, cpuMs: 12.25, maxRSSBytes: 40_000_000, round: $0, foreignLoad: 0)
                }))
        return Submission(
            id: id, createdAt: createdAt, agent: AgentInfo(name: "crowdspeed-agent", version: "0.1.0"), source: .agent,
            machine: machine,
            interpreter: InterpreterInfo(
                implementation: "PyPy", version: "7.3.11", languageVersion: "3.9.16", executable: "pypy3"),
            run: RunInfo(seed: seed, rounds: rounds, warmupRounds: 1, pypyGCMin: nil, stopReason: "rounds"),
            results: results)
    }

    /// The sweep's gcbench sample count (what the store must give back).
    public static func gcbenchSampleCount(rounds: Int = 20) -> Int { nurseries.count * 2 * rounds }

    /// The submission's wire bytes.
    public static func json(_ submission: Submission = make()) throws -> Data {
        try WireCoding.makeEncoder().encode(submission)
    }

    /// The submission as a mutable JSON object, to build malformed variants.
    public static func object(_ submission: Submission = make()) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: json(submission)) as! [String: Any]
    }

    /// Serializes a (possibly broken) JSON object back to bytes.
    public static func bytes(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// A plausible CPU-time curve: worst at tiny nurseries, best near 8M, slowly worse above;
    /// two processes on one physical core each take longer.
    private static func curve(nursery: Int64?, procs: Int) -> Double {
        let log2Nursery = Double(nursery.map { 63 - $0.leadingZeroBitCount } ?? 20)
        return (780 + 9 * (log2Nursery - 23) * (log2Nursery - 23)) * (procs == 1 ? 1 : 1.35)
    }

    private static func rounded(_ value: Double) -> Double {
        (value * 1000).rounded() / 1000
    }
}
