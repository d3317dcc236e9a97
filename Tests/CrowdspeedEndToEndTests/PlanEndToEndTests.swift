import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The agent and `GET /api/v1/plan` on the real server: the plans it fetches, what happens
    /// without them, and the agent binary sweeping real `pypy3` on the planned sizes.
    @Suite("Sweep plan end to end", .serialized)
    struct PlanEndToEndTests {
        @Test("the fetched plans are the server's formula's, per process count; no endpoint or no server → none")
        func fetch() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("crowdspeed.sqlite")
            let formula = try await RecommendEndToEndTests.prepare(path)
            let machine = try MachineProbe.current()
            try await LiveServer.run(databasePath: path) { baseURL in
                let fetched = try await PlanFetcher.fetch(
                    server: baseURL, machine: machine, procs: [1, 2], pypyVersion: "7.3.11"
                ).get()
                #expect(fetched.keys.sorted() == [1, 2])
                for (procs, plan) in fetched {
                    let features = try #require(MachineFeatures(machine: machine, procs: procs))
                    let expected = SweepPlan.plan(
                        features: features, pypyVersion: "7.3.11", report: formula.report,
                        intervals: formula.intervals)
                    #expect(plan.nurseries.map(\.nurseryBytes) == expected.nurseries)
                    #expect(plan.procs == procs)
                    #expect(plan.formulaVersion == formula.version)
                }
                // A server without the endpoint (here: a path prefix it does not serve) answers 404.
                let missing = await PlanFetcher.fetch(
                    server: baseURL.appendingPathComponent("elsewhere"), machine: machine, procs: [1],
                    pypyVersion: "7.3.11")
                guard case .failure(let failure) = missing else {
                    Issue.record("a 404 must give no plan")
                    return
                }
                #expect(failure.reason == "the server has no plan endpoint")
            }
            let offline = await PlanFetcher.fetch(
                server: URL(string: "http://127.0.0.1:1")!, machine: machine, procs: [1], pypyVersion: "7.3.11",
                timeoutSeconds: 5)
            guard case .failure = offline else {
                Issue.record("an unreachable server must give no plan")
                return
            }
        }

        @Test("the agent binary sweeps the planned sizes on real pypy3 and the server accepts the submission")
        func agentFollowsThePlan() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("crowdspeed.sqlite")
            let formula = try await RecommendEndToEndTests.prepare(path)
            let home = directory.url.appendingPathComponent("home")
            let spool = directory.path("spool")
            let machine = try MachineProbe.current()
            let pypy = try #require(
                Interpreter.probe(
                    command: "/usr/bin/pypy3", path: "/usr/bin/pypy3", environment: ProcessInfo.processInfo.environment)
            )
            try await LiveServer.run(databasePath: path) { baseURL in
                // Sized like --quick: one process count, one measured round after the warm-up.
                let outcome = try await AgentEndToEndTests.runAgent(
                    [
                        "run", "--server", baseURL.absoluteString, "--yes", "--no-discover", "--python",
                        "/usr/bin/pypy3", "--procs", "1", "--rounds", "1", "--seed", "7", "--spool", spool,
                    ], home: home)
                #expect(outcome.exitCode == 0, "\(outcome.stderr)")
                #expect(outcome.stderr.contains("sweep plan for /usr/bin/pypy3: procs 1: "), "\(outcome.stderr)")

                let features = try #require(MachineFeatures(machine: machine, procs: 1))
                let plan = SweepPlan.plan(
                    features: features, pypyVersion: pypy.info.version, report: formula.report,
                    intervals: formula.intervals)
                let client = HTTPClient(baseURL: baseURL)
                let detail = try await client.getMachine(machine.machineID).decode(MachineDocument.self)
                let id = try #require(detail.submissions.first?.id)
                let stored = try await client.getSubmission(id).decode(Submission.self)
                let swept = stored.results.filter { $0.benchmark == BenchmarkName.gcbench }.map(\.params.nurseryBytes)
                #expect(Set(swept) == Set([nil] + plan.nurseries.map { Optional($0) }))
                #expect(plan.nurseries.count < NurserySize.sweepGrid.count)
            }
        }

        @Test("--dry-run asks the server for nothing, not even a plan, and prints the full-grid payload")
        func dryRunSendsNothing() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("crowdspeed.sqlite")
            _ = try await RecommendEndToEndTests.prepare(path)
            let machine = try MachineProbe.current()
            let spool = directory.path("spool")
            let home = directory.url.appendingPathComponent("home")
            try await LiveServer.run(databasePath: path) { baseURL in
                let outcome = try await AgentEndToEndTests.runAgent(
                    [
                        "run", "--server", baseURL.absoluteString, "--dry-run", "--no-discover", "--python",
                        "/usr/bin/pypy3", "--procs", "1", "--rounds", "1", "--seed", "7",
                        "--spool", spool,
                    ], home: home)
                #expect(outcome.exitCode == 0, "\(outcome.stderr)")
                // The server offers a plan for this machine, so only not asking leaves these out.
                #expect(!outcome.stderr.contains("sweep plan"), "\(outcome.stderr)")
                let payload = try WireCoding.makeDecoder().decode(Submission.self, from: Data(outcome.stdout.utf8))
                let swept = Set(
                    payload.results.filter { $0.benchmark == BenchmarkName.gcbench }.compactMap(\.params.nurseryBytes))
                #expect(swept == Set(NurserySize.sweepGrid))
                let answer = try await HTTPClient(baseURL: baseURL).getMachine(machine.machineID)
                #expect(answer.status == 404)
            }
        }
    }
}
