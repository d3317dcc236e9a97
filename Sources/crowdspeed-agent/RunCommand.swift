import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation

/// `crowdspeed-agent run`: fingerprint, sweep, submit.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sweep PyPy's GC nursery size and time JSON on every Python found, then submit the results.",
        discussion: """
            Runs the GC benchmark with PYPY_GC_NURSERY unset (the control) and at each grid size, with 1, half and \
            all physical cores' worth of concurrent processes, in shuffled rounds (the first is a discarded warm-up), \
            plus JSON dumps/loads timings on every interpreter found. CPython gets only the JSON timings: it ignores \
            PYPY_GC_NURSERY. One submission per interpreter. By default rounds are added until the best nursery size \
            is resolved (5 to 30 rounds); --quick takes about a minute. With a server that has a formula, the sweep \
            follows its plan instead (GET /api/v1/plan, which sends only cache sizes, core count, architecture, CPU \
            vendor and PyPy version: the sizes around this machine's predicted best and a few far points, and its \
            stopping rule); offline, with --dry-run or --no-plan, or when the grid is given, the full grid.

            Exit status: 0 stored (or --dry-run), 1 setup problem (no PyPy, no fingerprint), 3 server unreachable \
            (results spooled), 4 refused by the server (kept in the spool's rejected/), 130 interrupted (finished \
            rounds spooled).
            """
    )

    @OptionGroup var options: ServerOptions

    @Option(
        name: .customLong("python"), help: ArgumentHelp("Also run this interpreter (repeatable).", valueName: "path"))
    var pythons: [String] = []

    @Flag(help: "Use only the --python interpreters; do not look for pypy3, pypy and python3 on PATH.")
    var noDiscover = false

    @Flag(help: "A short sweep: 4 nursery sizes, one JSON payload, 5 measured rounds (about a minute on 2 cores).")
    var quick = false

    @Option(help: "Run exactly this many measured rounds (after the warm-up).")
    var rounds: Int?

    @Option(
        help: ArgumentHelp("Stop adding rounds when this much time is spent, e.g. 20m, 90s, 1h.", valueName: "duration")
    )
    var budget: String?

    @Option(
        help: ArgumentHelp(
            "Nursery sizes to sweep, e.g. 1M,4M,16M (overrides --nursery-min/--nursery-max).", valueName: "sizes"))
    var grid: String?

    @Option(help: ArgumentHelp("Smallest nursery size of the power-of-two grid (default 256K).", valueName: "size"))
    var nurseryMin: String?

    @Option(help: ArgumentHelp("Largest nursery size of the power-of-two grid (default 64M).", valueName: "size"))
    var nurseryMax: String?

    @Option(
        help: ArgumentHelp(
            "Concurrent process counts, e.g. 1,2 (default: 1, half and all physical cores).", valueName: "counts"))
    var procs: String?

    @Flag(
        help: ArgumentHelp(
            "Study mode: hold PYPY_GC_MIN fixed at 8 × the largest nursery swept (512M with the default grid).",
            discussion: """
                PyPy delays major collections until the heap reaches PYPY_GC_MIN, 8 × the nursery by default, so an \
                ordinary sweep cannot tell whether a larger nursery or the later major collections helped. With \
                the floor fixed, every size and the default control share it, and the server keeps these curves \
                apart from the ordinary ones (they never enter the served formula).
                """))
    var pinGCMin = false

    @Flag(help: "Sweep the full grid even when the server offers a plan of the sizes that matter here.")
    var noPlan = false

    @Option(help: "Seed of the shuffled round order (default: random; it is recorded either way).")
    var seed: UInt64?

    @Flag(help: "Print the exact payload(s) to stdout and send nothing.")
    var dryRun = false

    @Flag(help: "Upload without asking for consent.")
    var yes = false

    func validate() throws {
        if try options.effectiveServer() == nil && !dryRun {
            throw ValidationError(
                "run needs --server URL (or a server in ~/.config/crowdspeed/agent.json, or --dry-run to only print the payload)"
            )
        }
        if let rounds, rounds < 1 { throw ValidationError("--rounds must be at least 1") }
        if let budget, Self.parseDuration(budget) == nil {
            throw ValidationError("--budget must look like 20m, 90s or 1h; got \(budget)")
        }
        if grid != nil && (nurseryMin != nil || nurseryMax != nil) {
            throw ValidationError("use either --grid or --nursery-min/--nursery-max")
        }
        _ = try nurseryGrid()
        _ = try processCounts()
    }

    /// The nursery grid from the options, or nil for the default.
    func nurseryGrid() throws -> [Int64]? {
        let limits = SubmissionLimits.standard.nurseryBytes
        func size(_ text: String, _ option: String) throws -> Int64 {
            guard let bytes = NurserySize.parse(text), limits.contains(bytes) else {
                throw ValidationError("\(option): \(text) is not a nursery size within 1K…16G (e.g. 256K, 8M)")
            }
            return bytes
        }
        if let grid {
            let sizes = try grid.split(separator: ",").map { try size(String($0), "--grid") }
            guard !sizes.isEmpty else { throw ValidationError("--grid needs at least one size") }
            return sizes
        }
        guard nurseryMin != nil || nurseryMax != nil else { return nil }
        let low = try nurseryMin.map { try size($0, "--nursery-min") } ?? 256 << 10
        let high = try nurseryMax.map { try size($0, "--nursery-max") } ?? 64 << 20
        guard low <= high else { throw ValidationError("--nursery-min is above --nursery-max") }
        return SweepDesign.powersOfTwo(from: low, to: high)
    }

    /// The process counts from `--procs`, or nil for the protocol's default.
    func processCounts() throws -> [Int]? {
        guard let procs else { return nil }
        let counts = procs.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.count == procs.split(separator: ",").count,
            counts.allSatisfy({ (1...4096).contains($0) })
        else {
            throw ValidationError("--procs must be positive counts such as 1,2")
        }
        return counts
    }

    /// Seconds in `90s`, `20m`, `1h30m` or a bare number of seconds (``DurationText``); nil for
    /// anything else and for zero.
    static func parseDuration(_ text: String) -> Double? {
        DurationText.parse(text).map(\.seconds).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The settings the options describe.
    func settings() throws -> SweepSettings {
        let seed = self.seed ?? UInt64.random(in: 0...UInt64(1) << 53)
        var settings = quick ? SweepSettings.quick(seed: seed) : SweepSettings(seed: seed)
        if let grid = try nurseryGrid() { settings.nurseryGrid = grid }
        settings.procs = try processCounts()
        if let rounds { settings.rule.mode = .fixed(rounds: rounds) }
        settings.rule.budgetSeconds = budget.flatMap(Self.parseDuration)
        settings.pinGCMin = pinGCMin
        return settings
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let machine: MachineInfo
        do {
            machine = try MachineProbe.current()
        } catch {
            Console.error("cannot fingerprint this machine: \(error)")
            throw AgentExit.setup
        }
        let interpreters = Interpreter.discover(extra: pythons, environment: environment, searchPath: !noDiscover)
        guard interpreters.contains(where: \.isPyPy) else {
            let found = interpreters.map { "\($0.command) (\($0.info.implementation) \($0.info.version))" }
            Console.error(
                "no PyPy found\(found.isEmpty ? "" : "; found only \(found.joined(separator: ", "))"). "
                    + "The nursery sweep needs PyPy: install it with `sudo apt-get install pypy3` (Debian/Ubuntu) "
                    + "or pass its path with --python.")
            throw AgentExit.setup
        }
        let scripts = try WorkloadScripts.bundled()
        var settings = try settings()
        settings.plans = await plans(machine: machine, interpreters: interpreters, settings: settings)
        let interruption = Interruption()
        let signalSource = interruption.installSIGINTHandler {
            Console.info("\ninterrupted: stopping the running samples…")
        }

        Console.info(
            "machine: \(machine.cpuModel), \(machine.physicalCores) cores, L2 \(machine.cacheBytes(level: 2).map { NurserySize.format($0) } ?? "-"), "
                + "L3 \(machine.cacheBytes(level: 3).map { NurserySize.format($0) } ?? "-"); interpreters: "
                + interpreters.map { "\($0.command) (\($0.info.implementation) \($0.info.version))" }.joined(
                    separator: ", "))
        if settings.pinGCMin {
            Console.info(
                "study mode: PYPY_GC_MIN=\(NurserySize.format(settings.pinnedGCMinBytes)) for every run "
                    + "(8 × the largest nursery); these curves are kept apart from the ordinary ones")
        }
        let session = SweepSession(
            machine: machine, interpreters: interpreters, scripts: scripts, settings: settings,
            environment: environment, interruption: interruption, progress: ProgressReporter())
        let started = Date()
        let runs: [InterpreterRun]
        do {
            runs = try await runDetached { try session.run() }
        } catch {
            interruption.restoreDefaultSIGINT(signalSource)
            throw error
        }
        // From here on Ctrl-C ends the process as usual: every payload is in the spool before
        // its upload starts, so nothing is lost by it.
        interruption.restoreDefaultSIGINT(signalSource)
        let elapsed = Date().timeIntervalSince(started)
        let submissions = runs.compactMap(\.submission)
        let encoder = WireCoding.makeEncoder()
        let payloads = try submissions.map { try encoder.encode($0) }
        let spool = options.spoolStore(environment: environment)
        Console.info(
            "sweep finished in \(ProgressReporter.formatDuration(elapsed)): "
                + runs.map {
                    "\($0.interpreter.command) \($0.outcome.measuredRounds) rounds (\($0.outcome.stopReason.rawValue))"
                        + ($0.outcome.failedSamples > 0 ? ", \($0.outcome.failedSamples) failed samples" : "")
                }.joined(separator: "; "))

        if interruption.isInterrupted {
            guard !submissions.isEmpty else {
                Console.info("no measured round had finished; nothing was kept")
                throw AgentExit.interrupted
            }
            for (submission, payload) in zip(submissions, payloads) {
                let file = try spool.store(payload, id: submission.id)
                Console.info(
                    "kept \(submission.run?.rounds ?? 0) finished rounds of \(submission.interpreter.executable) in \(file.path)"
                )
            }
            let server = options.serverURL?.absoluteString ?? "URL"
            Console.info(
                "upload them with `crowdspeed-agent flush --server \(server)\(options.spool.map { " --spool \($0)" } ?? "")`, "
                    + "or discard them by deleting the files")
            throw AgentExit.interrupted
        }
        guard !submissions.isEmpty else {
            Console.error("no results were measured")
            throw AgentExit.setup
        }
        if dryRun {
            for payload in payloads { print(String(decoding: payload, as: UTF8.self)) }
            return
        }

        let server = options.serverURL!
        let uploader = Uploader(server: server)
        let consent = ConsentStore(file: ConsentStore.defaultFile(environment: environment))
        if !yes && !consent.hasConsent(for: server) {
            switch Consent.ask("Upload these results to \(uploader.endpoint.absoluteString)? [y/N] ") {
            case .yes:
                try consent.grant(for: server)
            case .no, .noTerminal:
                var files: [String] = []
                for (submission, payload) in zip(submissions, payloads) {
                    files.append(try spool.store(payload, id: submission.id).path)
                }
                Console.info(
                    "not uploaded. The results are kept in \(spool.directory.path); upload them with "
                        + "`crowdspeed-agent flush --server \(server.absoluteString)` (or run with --yes), or delete the files."
                )
                return
            }
        }

        let delivery = Delivery(
            uploader: uploader, spool: spool,
            receipts: ReceiptStore(file: ReceiptStore.defaultFile(environment: environment)))
        let older = spool.pending().filter { file in
            !submissions.contains { file.lastPathComponent.hasPrefix($0.id.uuidString.lowercased()) }
        }
        var outcomes: [(String, DeliveryOutcome)] = []
        if !older.isEmpty {
            Console.info("retrying \(older.count) submission(s) left in the spool by earlier runs")
            outcomes += try await delivery.flush().map {
                ("spooled \($0.file.deletingPathExtension().lastPathComponent)", $0.outcome)
            }
        }
        var summaries: [String: String] = [:]
        for (submission, payload) in zip(submissions, payloads) {
            let label =
                "\(submission.interpreter.implementation) \(submission.interpreter.version) (\(submission.interpreter.executable))"
            if submission.results.contains(where: { $0.benchmark == BenchmarkName.gcbench }) {
                summaries[label] = SweepSummary(results: submission.results).text
            }
            // Once the server has said to wait, the rest goes straight to the spool: sending it
            // now would only be refused the same way and prolong the limit.
            let wait = outcomes.lazy.compactMap { entry -> Int?? in
                if case .rateLimited(let seconds, _) = entry.1 { return .some(seconds) } else { return nil }
            }.first
            if let wait {
                outcomes.append(
                    (
                        label,
                        .rateLimited(retryAfterSeconds: wait, at: try delivery.spool.store(payload, id: submission.id))
                    ))
            } else {
                outcomes.append((label, try await delivery.deliver(payload, id: submission.id)))
            }
        }
        if let status = Report.outcomes(outcomes, uploader: uploader, spool: spool, summaries: summaries) {
            throw status
        }
    }
}

extension RunCommand {
    /// The server's plans for each PyPy interpreter, or none (the full grid) offline, with
    /// `--no-plan` or `--dry-run` (which sends nothing), when the sizes are given (`--grid`, `--nursery-min/max`, `--quick`), in study
    /// mode (its curves are for the whole shape), or when the server has no plan to give.
    func plans(
        machine: MachineInfo, interpreters: [Interpreter], settings: SweepSettings
    ) async -> [String: [Int: PlanDocument]] {
        guard !noPlan, !dryRun, !quick, !pinGCMin, grid == nil, nurseryMin == nil, nurseryMax == nil,
            let server = options.serverURL
        else { return [:] }
        let procs =
            settings.procs
            ?? SweepDesign.processCounts(physicalCores: machine.physicalCores, cpuQuota: machine.cpuQuota)
        var plans: [String: [Int: PlanDocument]] = [:]
        for interpreter in interpreters where interpreter.isPyPy {
            switch await PlanFetcher.fetch(
                server: server, machine: machine, procs: procs, pypyVersion: interpreter.info.version)
            {
            case .failure(let failure):
                Console.info("no sweep plan (\(failure.reason)): sweeping the full grid")
                return [:]
            case .success(let byProcs):
                plans[interpreter.command] = byProcs
                Console.info(
                    "sweep plan for \(interpreter.command): "
                        + byProcs.keys.sorted().map { count in
                            let plan = byProcs[count]!
                            return "procs \(count): \(plan.nurseries.map(\.pypyGCNursery).joined(separator: ","))"
                                + (plan.basis == PlanDocument.fullGridBasis ? " (no formula yet: full grid)" : "")
                        }.joined(separator: "; "))
            }
        }
        return plans
    }
}

/// Asking the person at the terminal for consent.
enum Consent {
    enum Answer { case yes, no, noTerminal }

    /// Asks on the controlling terminal (not stdin, which may be a pipe), so consent is a
    /// person's answer. Without a terminal the answer is "no terminal": pass --yes instead.
    static func ask(_ question: String) -> Answer {
        guard let tty = FileHandle(forUpdatingAtPath: "/dev/tty") else {
            Console.info("no terminal to ask for consent; pass --yes to upload without asking")
            return .noTerminal
        }
        defer { try? tty.close() }
        tty.write(Data(question.utf8))
        var answer = Data()
        while let byte = try? tty.read(upToCount: 1), let first = byte.first, first != UInt8(ascii: "\n") {
            answer.append(first)
        }
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return text == "y" || text == "yes" ? .yes : .no
    }
}
