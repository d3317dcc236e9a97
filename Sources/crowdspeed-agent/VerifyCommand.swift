import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `crowdspeed-agent verify`: closes the loop on this machine. Runs interleaved rounds of PyPy's
/// default against the recommended size (the server's answer for this machine, or `--nursery`)
/// with the sweep's protocol, and prints the gain the size realized, with its interval.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Measure the realized gain of the recommended PYPY_GC_NURSERY against PyPy's default here.",
        discussion: """
            Each round runs the GC benchmark with PYPY_GC_NURSERY unset and at the size, once each, \
            in a seeded shuffled order, in fresh processes, after one discarded warm-up round; the \
            gain is the median over rounds of T(default) / T(size) - 1 in CPU time, with a \
            bootstrap interval. Exit status: 0 measured, 1 no PyPy or no size to verify, 3 server \
            unreachable.
            """)

    @OptionGroup var options: ServerOptions

    @Option(
        help: ArgumentHelp(
            "The size to verify, e.g. 8M (default: the server's recommendation for this machine).",
            valueName: "size"))
    var nursery: String?

    @Option(help: ArgumentHelp("The PyPy to measure (default: pypy3 or pypy on PATH).", valueName: "path"))
    var python: String?

    @Option(help: "Concurrent PyPy processes per sample.")
    var procs: Int = 1

    @Option(help: "Measured rounds (after one warm-up round).")
    var rounds: Int = 10

    @Option(help: "Seed of the shuffled round order (default: random; it is printed).")
    var seed: UInt64?

    func validate() throws {
        if let nursery, NurserySize.parse(nursery) == nil {
            throw ValidationError("--nursery must be a size such as 8M or 512K, got \(nursery)")
        }
        if nursery == nil, try options.effectiveServer() == nil {
            throw ValidationError("verify needs --nursery SIZE or a server (--server URL or a configured one)")
        }
        guard (1...4096).contains(procs) else { throw ValidationError("--procs must be within 1…4096") }
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds must be within 1…1000") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let interpreters = Interpreter.discover(
            extra: python.map { [$0] } ?? [], environment: environment, searchPath: python == nil)
        guard let pypy = interpreters.first(where: \.isPyPy) else {
            Console.error("no PyPy found: install it (sudo apt-get install pypy3) or pass --python PATH")
            throw AgentExit.setup
        }
        let size: Int64
        if let nursery, let parsed = NurserySize.parse(nursery) {
            size = parsed
        } else {
            guard let recommended = try await recommendation(pypyVersion: pypy.info.version) else {
                Console.info("the advice for this machine is to keep PyPy's default: there is no other size to verify")
                return
            }
            size = recommended
        }
        let seed = self.seed ?? UInt64.random(in: 0...UInt64(1) << 53)
        Console.info(
            "verifying PYPY_GC_NURSERY=\(NurserySize.format(size)) against PyPy's default: \(pypy.command) (PyPy \(pypy.info.version)), "
                + "\(procs) process\(procs == 1 ? "" : "es"), \(rounds) rounds after a warm-up, seed \(seed)")
        let runner = PointRunner(interpreter: pypy, scripts: try WorkloadScripts.bundled(), environment: environment)
        let procs = self.procs
        let rounds = self.rounds
        let result = try await runDetached {
            try Verifier.run(
                nurseryBytes: size, procs: procs, rounds: rounds, seed: seed, runner: runner,
                progress: { done, total in Console.info("round \(done)/\(total)") })
        }
        func percent(_ value: Double?) -> String {
            value.map { $0.isFinite ? String(format: "%+.1f%%", 100 * $0) : "n/a" } ?? "n/a"
        }
        let interval =
            result.lower.map { "\(Int(result.confidence * 100))%: \(percent($0)) to \(percent(result.upper))" }
            ?? "no interval with one round"
        print(
            "realized gain of PYPY_GC_NURSERY=\(NurserySize.format(size)) over PyPy's default: \(percent(result.gain)) less CPU time "
                + "(\(interval); \(result.roundGains.count) paired rounds): \(result.verdict)")
        if result.failedSamples > 0 { Console.error("\(result.failedSamples) samples failed and were left out") }
    }

    /// The server's size for this machine, nil when its advice is to keep the default.
    func recommendation(pypyVersion: String) async throws -> Int64? {
        guard let server = options.serverURL else { throw ValidationError("no server to ask") }
        let machine: MachineInfo
        do {
            machine = try MachineProbe.current()
        } catch {
            Console.error("cannot fingerprint this machine: \(error)")
            throw AgentExit.setup
        }
        guard var components = URLComponents(url: server, resolvingAgainstBaseURL: false) else {
            throw ValidationError("the server is not a URL")
        }
        components.path =
            (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path)
            + "/api/v1/recommendations/nursery"
        components.queryItems = [
            URLQueryItem(name: "machine", value: machine.machineID),
            URLQueryItem(name: "procs", value: String(procs)),
            URLQueryItem(name: "pypy_version", value: pypyVersion),
        ]
        guard let url = components.url else { throw ValidationError("the server is not a URL") }
        var request = URLRequest(url: url)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        switch await ServerExchange.send(request, timeoutSeconds: 30) {
        case .failure(let failure):
            Console.error("cannot reach \(server.absoluteString): \(failure.reason)")
            throw AgentExit.spooled
        case .success(let (data, response)):
            guard response.statusCode == 200 else {
                let detail =
                    (try? WireCoding.makeDecoder().decode(ProblemDetails.self, from: data))?.detail
                    ?? "HTTP \(response.statusCode)"
                Console.error(
                    "the server has no recommendation for this machine (\(detail)); run `crowdspeed-agent run` first, or pass --nursery SIZE"
                )
                throw AgentExit.setup
            }
            let answer = try WireCoding.makeDecoder().decode(RecommendationDocument.self, from: data)
            Console.info("the server recommends \(answer.pypyGCNursery) (\(answer.source)): \(answer.advice)")
            return answer.keepDefault ? nil : answer.nurseryBytes
        }
    }
}
