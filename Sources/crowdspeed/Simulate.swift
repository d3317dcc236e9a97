import ArgumentParser
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `crowdspeed simulate --machines N --seed S (--db PATH | --server URL)`: generates a synthetic
/// population with CrowdspeedFit's documented ground-truth model (`source = synthetic`) and
/// ingests it — straight into a database through the server's own ingest path (curves and
/// machine summaries included), or by POSTing each submission to a running server.
///
/// With `--plan-study` it ingests nothing and prints what sweep plans save (``PlanScenario``):
/// the volunteers' timed runs and the held-out regret of the formula fitted on their submissions,
/// for today's full grid (fixed and adaptive rounds) and for the plan with its stopping rule.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate simulated machines (source=synthetic) and ingest them, for demos, tests and benchmarks.")

    @Option(help: "Number of simulated machines.")
    var machines: Int = 100

    @Option(help: "Seed of the population: the same seed gives the same machines.")
    var seed: UInt64 = 1

    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("Ingest into this SQLite database (created if missing).", valueName: "path"))
    var databasePath: String?

    @Option(help: ArgumentHelp("POST to this server instead, e.g. http://127.0.0.1:8080.", valueName: "url"))
    var server: String?

    @Option(help: "Index of the first machine, to extend an earlier population without repeating it.")
    var first: Int = 0

    @Flag(
        help: ArgumentHelp(
            "Print the sweep-plan study of the --seed population instead of ingesting.",
            discussion: """
                Fits a formula on the first 60 machines, then has the next --machines sweep today's full grid \
                (5 rounds, and adaptive) and that formula's plan (adaptive), and scores each way's own fit on 60 \
                unseen machines' true curves. Takes a few seconds per population in a release build.
                """))
    var planStudy = false

    func validate() throws {
        guard machines >= 1, machines <= 1_000_000 else { throw ValidationError("--machines must be within 1…1000000") }
        guard first >= 0 else { throw ValidationError("--first must not be negative") }
        if planStudy {
            guard databasePath == nil, server == nil else {
                throw ValidationError("--plan-study ingests nothing: give neither --db nor --server")
            }
            return
        }
        guard (databasePath == nil) != (server == nil) else {
            throw ValidationError("give exactly one of --db and --server")
        }
        if let server {
            guard let url = URL(string: server), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host != nil
            else {
                throw ValidationError("--server must be an http:// or https:// URL, got \(server)")
            }
        }
    }

    func run() async throws {
        if planStudy {
            printPlanStudy()
            return
        }
        let simulator = PopulationSimulator(seed: seed)
        var created = 0
        var repeated = 0
        if let databasePath {
            let ingestor = Pipeline(stores: StoreCapabilities(try SQLiteResultStore(path: databasePath)))
            for index in first..<first + machines {
                let submission = simulator.machine(at: index).submission
                switch try await ingestor.ingest(submission, receivedAt: Date()).outcome {
                case .created: created += 1
                case .duplicate: repeated += 1
                }
                progress(index - first + 1)
            }
        } else if let server, let base = URL(string: server) {
            let endpoint = base.appendingPathComponent("api/v1/submissions")
            let encoder = WireCoding.makeEncoder()
            for index in first..<first + machines {
                var request = URLRequest(url: endpoint)
                request.httpMethod = "POST"
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                request.httpBody = try encoder.encode(simulator.machine(at: index).submission)
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                switch status {
                case 201: created += 1
                case 200: repeated += 1
                default:
                    FileHandle.standardError.write(
                        Data(
                            "\nmachine \(index): HTTP \(status): \(String(decoding: data.prefix(500), as: UTF8.self))\n"
                                .utf8))
                    throw ExitCode.failure
                }
                progress(index - first + 1)
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        print("simulated \(machines) machines (seed \(seed)): \(created) stored, \(repeated) already present")
    }

    /// The ``PlanScenario`` table of the `--seed` population, `--machines` training machines.
    private func printPlanStudy() {
        let outcome = PlanScenario(trainingMachines: machines).run(seed: seed)
        print("seed \(seed), \(machines) training machines, \(outcome.planned.curves) unseen curves")
        print("sweep                 timed runs (median)  rounds (median)  sizes (median)  held-out regret")
        for (name, arm) in [
            ("full grid, 5 rounds", outcome.fullFixed), ("full grid, adaptive", outcome.fullAdaptive),
            ("plan, adaptive", outcome.planned),
        ] {
            print(
                name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(
                        format: "%19.0f  %15.1f  %14.1f  %14.2f%%", arm.medianTimedRuns, arm.medianRounds,
                        arm.medianSizes, 100 * arm.heldOutRegret))
        }
    }

    /// A progress line on stderr every 10 machines.
    private func progress(_ done: Int) {
        guard done % 10 == 0 || done == machines else { return }
        FileHandle.standardError.write(Data("\rsimulated \(done)/\(machines)".utf8))
    }
}
