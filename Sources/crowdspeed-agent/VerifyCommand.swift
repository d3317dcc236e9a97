import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `crowdspeed-agent verify`: closes the loop on this machine. Runs interleaved rounds of PyPy's
/// default against the recommended size (the server's answer for this machine, or `--nursery`)
/// with the sweep's protocol, prints the gain the size realized, with its interval, and submits
/// it as a verification result when the volunteer agrees (as `run` asks).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Measure the realized gain of the recommended PYPY_GC_NURSERY against PyPy's default here.",
        discussion: """
            Each round runs the GC benchmark with PYPY_GC_NURSERY unset and at the size, once each, \
            in a seeded shuffled order, in fresh processes, after one discarded warm-up round; the \
            gain is the median over rounds of T(default) / T(size) - 1 in CPU time, with a \
            bootstrap interval. The result is then submitted to the server (after asking once per \
            server, as `run` does; --yes skips the question, --dry-run prints the payload instead). \
            Exit status: 0 measured, 1 no PyPy or no size to verify, 3 server unreachable (the \
            result is kept in the spool's verifications/ directory), 4 refused by the server.
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

    @Flag(help: "Print the verification payload to stdout and send nothing.")
    var dryRun = false

    @Flag(help: "Submit the result without asking for consent.")
    var yes = false

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

    /// The size to verify and where it came from.
    struct Target {
        var nurseryBytes: Int64
        var source: Verification.SizeSource
        /// PyPy's default here, as the server's answer stated it.
        var defaultNurseryBytes: Int64?
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let interpreters = Interpreter.discover(
            extra: python.map { [$0] } ?? [], environment: environment, searchPath: python == nil)
        guard let pypy = interpreters.first(where: \.isPyPy) else {
            Console.error("no PyPy found: install it (sudo apt-get install pypy3) or pass --python PATH")
            throw AgentExit.setup
        }
        // With a server the machine's id is needed: to ask for its size and to submit the result.
        let machine = options.serverURL == nil ? nil : try fingerprint()
        let target: Target
        if let nursery, let parsed = NurserySize.parse(nursery) {
            target = Target(
                nurseryBytes: parsed, source: .init(kind: .nursery, formulaVersion: nil, predictedGain: nil),
                defaultNurseryBytes: nil)
        } else if let machine {
            guard let recommended = try await recommendation(machine: machine, pypyVersion: pypy.info.version) else {
                Console.info("the advice for this machine is to keep PyPy's default: there is no other size to verify")
                return
            }
            target = recommended
        } else {
            throw ValidationError("verify needs --nursery SIZE or a server (--server URL or a configured one)")
        }
        let size = target.nurseryBytes
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

        guard !result.roundGains.isEmpty else {
            Console.info("no round finished with both points: there is nothing to submit")
            return
        }
        guard let machineID = machine?.machineID ?? (dryRun ? (try? MachineProbe.current())?.machineID : nil) else {
            Console.info("not submitted: no server to submit to (pass --server URL to share the result)")
            return
        }
        let document = result.document(
            machineID: machineID, pypyVersion: pypy.info.version, defaultNurseryBytes: target.defaultNurseryBytes,
            sizeSource: target.source, seed: seed, rounds: rounds)
        let payload = try WireCoding.makeEncoder().encode(document)
        if dryRun {
            print(String(decoding: payload, as: UTF8.self))
            return
        }
        try await submit(payload, id: document.id, environment: environment)
    }

    /// Submits the verification after consent; what the server does not take is kept in the
    /// spool's `verifications/` directory (which `flush` leaves alone: it sends submissions).
    func submit(_ payload: Data, id: UUID, environment: [String: String]) async throws {
        guard let server = options.serverURL else { return }
        var uploader = Uploader(server: server)
        let kept = Spool(
            directory: options.spoolStore(environment: environment).directory.appendingPathComponent("verifications"))
        let consent = ConsentStore(file: ConsentStore.defaultFile(environment: environment))
        /// Keeps the payload and says how to send it later.
        func keep(_ reason: String) throws {
            let file = try kept.store(payload, id: id)
            Console.error("the verification was not submitted (\(reason)); it is kept in \(file.path)")
            Console.info(
                "send it later with: curl -fsS -H 'Content-Type: application/json' --data-binary @\(file.path) \(uploader.verificationsEndpoint.absoluteString)"
            )
        }
        if !yes && !consent.hasConsent(for: server) {
            switch Consent.ask(
                "Submit this verification result to \(uploader.verificationsEndpoint.absoluteString)? [y/N] ")
            {
            case .yes:
                try consent.grant(for: server)
            case .no, .noTerminal:
                try keep("no consent; run with --yes to submit without asking")
                return
            }
        }
        uploader.installToken = ReceiptStore(file: ReceiptStore.defaultFile(environment: environment))
            .installToken(for: server)
        switch await uploader.uploadVerification(payload) {
        case .stored(let receipt):
            print(
                "verification \(receipt.status == "duplicate" ? "already stored" : "stored") as \(receipt.id.uuidString.lowercased()); "
                    + "realized gains per formula: \(server.appendingPathComponent("formulas").absoluteString)")
        case .rejected(_, let problem):
            Console.error("the server refused the verification:")
            Console.info(problem?.readable ?? "no problem details in the answer")
            _ = try kept.storeRejected(payload, id: id)
            Console.info("the payload is kept in \(kept.rejectedDirectory.path)")
            throw AgentExit.rejected
        case .unavailable(let reason):
            try keep(reason)
            throw AgentExit.spooled
        case .rateLimited(let seconds):
            try keep(DeliveryOutcome.rateLimitedReason(retryAfterSeconds: seconds))
            throw AgentExit.spooled
        }
    }

    /// This machine's fingerprint; exit status 1 when it cannot be taken.
    func fingerprint() throws -> MachineInfo {
        do {
            return try MachineProbe.current()
        } catch {
            Console.error("cannot fingerprint this machine: \(error)")
            throw AgentExit.setup
        }
    }

    /// The server's size for this machine, nil when its advice is to keep the default.
    func recommendation(machine: MachineInfo, pypyVersion: String) async throws -> Target? {
        guard let server = options.serverURL else { throw ValidationError("no server to ask") }
        guard
            let url = PlanFetcher.url(
                server: server, path: "/api/v1/recommendations/nursery",
                query: [
                    URLQueryItem(name: "machine", value: machine.machineID),
                    URLQueryItem(name: "procs", value: String(procs)),
                    URLQueryItem(name: "pypy_version", value: pypyVersion),
                ])
        else { throw ValidationError("the server is not a URL") }
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
            guard !answer.keepDefault else { return nil }
            return Target(
                nurseryBytes: answer.nurseryBytes,
                source: .init(
                    kind: answer.source == "measured" ? .measured : .formula, formulaVersion: answer.formula?.version,
                    predictedGain: answer.expectedGain.mean),
                defaultNurseryBytes: answer.expectedGain.defaultNurseryBytes)
        }
    }
}
