import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Logging

/// Fills an empty demo database with a simulated population (CrowdspeedFit's
/// ``PopulationSimulator``), through the same ingest path as real submissions, so every page
/// has full charts in one command. Everything it stores is `source: synthetic`, and a demo
/// server labels every page as such.
///
/// The simulator measures PyPy's gcbench only; the seeder adds JSON timings (PyPy in the same
/// submission, and a CPython submission per machine) from a simple seeded model, so the JSON
/// bars and the timeline have something to show. Those timings are invented, not measured.
public struct DemoSeeder: Sendable {
    /// Machines generated on an empty database: enough for classes and held-out folds, a few
    /// seconds to ingest.
    public var machineCount = 240
    /// Fixed, so every demo shows the same population.
    public var seed: UInt64 = 2026_05_01

    /// Creates a seeder; tests use fewer machines.
    public init(machineCount: Int = 240, seed: UInt64 = 2026_05_01) {
        self.machineCount = machineCount
        self.seed = seed
    }

    /// The JSON payloads of the agent's `jsonbench.py`, with a base time per run in ms.
    static let payloads: [(name: String, dumpsMs: Double, loadsMs: Double)] = [
        ("records", 9.0, 12.0), ("nested", 14.0, 11.0), ("text", 4.0, 6.5), ("numbers", 7.5, 9.0),
    ]
    /// CPython versions the demo machines "have".
    static let cpythonVersions = ["3.11.2", "3.12.3", "3.13.1"]

    /// Seeds when the store has no machine yet; returns how many submissions were stored.
    @discardableResult
    public func seedIfEmpty(pipeline: Pipeline, logger: Logger) async throws -> Int {
        guard try await pipeline.stores.dashboard.dashboardCounts().machines == 0 else { return 0 }
        let simulator = PopulationSimulator(seed: seed)
        var stored = 0
        for index in 0..<machineCount {
            let simulated = simulator.machine(at: index)
            var generator = SeededRandom(seed: seed ^ UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
            let speed = 0.7 + 0.6 * generator.nextUnit()
            var pypy = simulated.submission
            pypy.results += Self.jsonResults(
                pypyVersion: pypy.interpreter.version, cpython: nil, speed: speed, using: &generator)
            let cpythonVersion = Self.cpythonVersions[index % Self.cpythonVersions.count]
            let cpython = Submission(
                id: Self.uuid(using: &generator), createdAt: pypy.createdAt, agent: pypy.agent, source: .synthetic,
                machine: pypy.machine,
                interpreter: InterpreterInfo(
                    implementation: "CPython", version: cpythonVersion, languageVersion: cpythonVersion,
                    executable: "python3"),
                run: nil,
                results: Self.jsonResults(pypyVersion: nil, cpython: cpythonVersion, speed: speed, using: &generator))
            // Receipt a minute after creation keeps the simulator's fixed dates valid.
            for submission in [pypy, cpython] {
                _ = try await pipeline.ingest(submission, receivedAt: submission.createdAt.addingTimeInterval(60))
                stored += 1
            }
        }
        logger.info("demo database seeded", metadata: ["machines": "\(machineCount)", "submissions": "\(stored)"])
        return stored
    }

    /// JSON dumps/loads results: five samples per payload, times scaled by the machine's speed
    /// and an interpreter factor (newer versions a little faster), with 3% noise.
    static func jsonResults(pypyVersion: String?, cpython: String?, speed: Double, using generator: inout SeededRandom)
        -> [BenchmarkResult]
    {
        let version = pypyVersion ?? cpython ?? ""
        let minor = Double(VersionOrder.components(version).dropFirst(pypyVersion == nil ? 1 : 2).first ?? 0)
        let interpreterFactor: (dumps: Double, loads: Double) =
            pypyVersion != nil
            ? (0.55 - 0.01 * (minor - 11), 1.25 - 0.02 * (minor - 11))
            : (1.0 - 0.04 * (minor - 11), 1.0 - 0.05 * (minor - 11))
        var results: [BenchmarkResult] = []
        for payload in payloads {
            for (benchmark, base, factor) in [
                (BenchmarkName.jsonDumps, payload.dumpsMs, interpreterFactor.dumps),
                (BenchmarkName.jsonLoads, payload.loadsMs, interpreterFactor.loads),
            ] {
                let samples = (0..<5).map { round in
                    let cpu = base * factor * speed * (1 + 0.03 * (2 * generator.nextUnit() - 1))
                    return Sample(
                        wallMs: cpu * 1.03, cpuMs: cpu, maxRSSBytes: 40 << 20, round: round, foreignLoad: 0.01)
                }
                results.append(
                    BenchmarkResult(
                        benchmark: benchmark, benchmarkVersion: "1",
                        params: ResultParams(payload: payload.name, library: "json"), samples: samples))
            }
        }
        return results
    }

    /// A version-4 UUID from the generator.
    static func uuid(using generator: inout SeededRandom) -> UUID {
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

/// SplitMix64: the demo's seeded generator (the simulator's own is internal to CrowdspeedFit).
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
