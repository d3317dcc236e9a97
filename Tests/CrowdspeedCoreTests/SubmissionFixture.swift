import CrowdspeedCore
import Foundation

/// A realistic valid submission: PyPy on a 2-core AMD EPYC, default + 3 nursery sizes × procs 1 and 2, 3 rounds.
enum SubmissionFixture {
    static let createdAt = Date(timeIntervalSince1970: 1_795_000_000)
    static let now = createdAt.addingTimeInterval(60)

    static func make() -> Submission {
        let machine = MachineInfo(
            arch: "x86_64", os: "Linux", osVersion: "Debian GNU/Linux 12 (bookworm)", kernel: "6.1.0-28-amd64",
            cpuVendor: "AuthenticAMD", cpuModel: "AMD EPYC 7B13", physicalCores: 1, logicalCPUs: 2,
            memoryBytes: 25_165_824_000,
            caches: [
                CacheInfo(level: 1, type: .data, sizeBytes: 32 << 10, sharedBy: 2),
                CacheInfo(level: 1, type: .instruction, sizeBytes: 32 << 10, sharedBy: 2),
                CacheInfo(level: 2, type: .unified, sizeBytes: 512 << 10, sharedBy: 2),
                CacheInfo(level: 3, type: .unified, sizeBytes: 32 << 20, sharedBy: 2),
            ],
            cpuinfoCacheBytes: 512 << 10, virtualized: true, cpuQuota: nil)
        var results: [BenchmarkResult] = []
        for procs in [1, 2] {
            for nursery in [nil, Int64(1 << 20), 4 << 20, 8 << 20] as [Int64?] {
                let samples = (0..<3).flatMap { round in
                    (0..<procs).map { copy in
                        Sample(
                            wallMs: 812.5 + Double(round) + Double(copy) * 0.25, cpuMs: 790.125 + Double(round),
                            maxRSSBytes: 61_440_000, round: round, foreignLoad: 0.03)
                    }
                }
                results.append(
                    BenchmarkResult(
                        benchmark: "gcbench", benchmarkVersion: "1",
                        params: ResultParams(procs: procs, nurseryBytes: nursery), samples: samples))
            }
        }
        results.append(
            BenchmarkResult(
                benchmark: "json.dumps", benchmarkVersion: "1",
                params: ResultParams(payload: "records-1k", library: "json"),
                samples: [Sample(wallMs: 12.5, cpuMs: 12.25, maxRSSBytes: 40_000_000, round: 0, foreignLoad: 0)]))
        return Submission(
            id: UUID(uuidString: "9F1C3E2A-4B5D-4E6F-8A7B-0C1D2E3F4A5B")!, createdAt: createdAt,
            agent: AgentInfo(name: "crowdspeed-agent", version: "0.1.0"), source: .agent, machine: machine,
            interpreter: InterpreterInfo(
                implementation: "PyPy", version: "7.3.11", languageVersion: "3.9.16", executable: "pypy3"),
            run: RunInfo(seed: 42, rounds: 3, warmupRounds: 1, pypyGCMin: nil, stopReason: "rounds"),
            results: results)
    }

    static func json(_ submission: Submission = make()) throws -> Data {
        try WireCoding.makeEncoder().encode(submission)
    }

    /// The fixture as a mutable JSON object, to build malformed variants.
    static func object() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: json()) as! [String: Any]
    }
}
