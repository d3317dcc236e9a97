import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Logging

/// Fixed data for the page tests: a small simulated population (with JSON timings) ingested
/// through the real ingest path, a synthetic-scope formula fitted on it, and one machine whose
/// every string field is hostile markup, stored directly (Core validation would refuse it at
/// the API, which is exactly why the pages must escape it anyway).
enum PageFixture {
    /// Machines in the simulated population.
    static let machineCount = 16

    /// Script and markup that must only ever appear as text.
    static let script = "<script>alert('x')</script>"
    static let image = "<img src=x onerror=alert(1)>"

    /// The hostile machine's submission: every string field carries markup.
    static func hostileSubmission() -> Submission {
        var machine = SweepFixture.machine(model: "\(script)\(image)")
        machine.cpuVendor = image
        machine.arch = "x86_64"
        machine.os = script
        machine.osVersion = image
        machine.kernel = script
        var submission = SweepFixture.make(
            id: UUID(uuidString: "0BADC0DE-0000-4000-8000-000000000001")!, machine: machine, rounds: 3)
        submission.interpreter = InterpreterInfo(
            implementation: "PyPy", version: image, languageVersion: script, executable: script)
        submission.agent = AgentInfo(name: script, version: image)
        submission.results.append(
            BenchmarkResult(
                benchmark: BenchmarkName.jsonDumps, benchmarkVersion: "1",
                params: ResultParams(payload: script, library: image),
                samples: [Sample(wallMs: 5, cpuMs: 4, maxRSSBytes: 1 << 20, round: 0, foreignLoad: 0)]))
        return submission
    }

    /// Seeds `store` with the population, fits, and stores the hostile machine.
    ///
    /// - Returns: the hostile machine's id.
    @discardableResult
    static func seed(_ store: SQLiteResultStore) async throws -> String {
        var logger = Logger(label: "crowdspeed.test")
        logger.logLevel = .warning
        try await DemoSeeder(machineCount: machineCount, seed: 7).seedIfEmpty(
            pipeline: Pipeline(stores: StoreCapabilities(store)), logger: logger)
        _ = try await Refitter(store: store, scope: .synthetic, now: { SweepFixture.now }).refit()
        let hostile = hostileSubmission()
        _ = try await store.ingest(hostile, receivedAt: SweepFixture.now)
        return hostile.machine.machineID
    }
}
