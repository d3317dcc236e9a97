import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `crowdspeed-agent recommend` fingerprints this machine and asks the real server, started on a
    /// database holding a fitted formula.
    @Suite("Agent recommend end to end", .serialized)
    struct RecommendEndToEndTests {
        /// Fills `path` with 40 simulated machines (as agent data) and fits a formula, before the
        /// server starts, so the server's own refit has nothing to do.
        static func prepare(_ path: String) async throws -> FittedFormula {
            let store = try SQLiteResultStore(path: path)
            let ingestor = Pipeline(stores: StoreCapabilities(store))
            let simulator = PopulationSimulator(seed: 3)
            for index in 0..<40 {
                var submission = simulator.machine(at: index).submission
                submission.source = .agent
                _ = try await ingestor.ingest(
                    submission, receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)))
            }
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                throw FitFailed()
            }
            return formula
        }

        struct FitFailed: Error {}

        @Test("prints one PYPY_GC_NURSERY line that NurserySize.parse reads back; --explain goes to stderr")
        func recommend() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("crowdspeed.sqlite")
            let formula = try await Self.prepare(path)
            let home = directory.url.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try await LiveServer.run(databasePath: path) { baseURL in
                let outcome = try await AgentEndToEndTests.runAgent(
                    [
                        "recommend", "--server", baseURL.absoluteString, "--procs", "1", "--pypy-version", "7.3.11",
                        "--explain",
                    ], home: home)
                #expect(outcome.exitCode == 0, "stderr: \(outcome.stderr)")
                let lines = outcome.stdout.split(separator: "\n")
                #expect(lines.count == 1)
                let line = try #require(lines.first)
                #expect(line.hasPrefix("PYPY_GC_NURSERY="))
                let value = String(line.dropFirst("PYPY_GC_NURSERY=".count))
                let bytes = try #require(NurserySize.parse(value))
                let machine = try MachineProbe.current()
                let features = try #require(MachineFeatures(machine: machine, procs: 1))
                #expect(bytes == formula.report.recommend(for: features, pypyVersion: "7.3.11").nurseryBytes)
                #expect(outcome.stderr.contains("held-out regret"))
                #expect(outcome.stderr.contains("formula v\(formula.version)"))
            }
        }

        @Test("a server without a formula: exit 3 and nothing on stdout")
        func noFormula() async throws {
            let directory = try TemporaryDirectory()
            let home = directory.url.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            let path = directory.path("empty.sqlite")
            try await LiveServer.run(databasePath: path) { baseURL in
                let outcome = try await AgentEndToEndTests.runAgent(
                    ["recommend", "--server", baseURL.absoluteString, "--pypy-version", "7.3.11"], home: home)
                #expect(outcome.exitCode == 3)
                #expect(outcome.stdout.isEmpty)
                #expect(outcome.stderr.contains("No formula"))
            }
        }
    }
}
