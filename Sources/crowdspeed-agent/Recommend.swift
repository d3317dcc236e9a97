import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `crowdspeed-agent recommend --server URL [--procs N] [--explain]`: fingerprints this machine,
/// asks the server's recommendations API, and prints one eval-able line, `PYPY_GC_NURSERY=8M`
/// (or a `#` comment when the advice is to keep PyPy's default),
/// on stdout (`eval "$(crowdspeed-agent recommend --server …)"`). `--explain` says why on stderr.
///
/// Only the hardware numbers a formula reads are sent (cache sizes, core count, architecture,
/// vendor, PyPy version): nothing that identifies the machine or its user.
struct Recommend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the recommended PYPY_GC_NURSERY for this machine (eval-able), from a Crowdspeed server.",
        discussion: """
            Exit status: 0 printed, 1 this machine could not be fingerprinted, 3 server unreachable or no formula \
            fitted yet, 4 refused by the server.
            """)

    @Option(help: ArgumentHelp("The Crowdspeed server, e.g. https://crowdspeed.example.org.", valueName: "url"))
    var server: String

    @Option(help: "Concurrent PyPy processes the setting is for.")
    var procs: Int = 1

    @Option(
        help: ArgumentHelp(
            "The PyPy version to advise for (default: the pypy3 or pypy found on PATH, else the newest rule).",
            valueName: "version"))
    var pypyVersion: String?

    @Flag(
        help:
            "Explain the recommendation on stderr: formula, held-out regret beside PyPy's rule, expected gain, training range."
    )
    var explain = false

    func validate() throws {
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil
        else {
            throw ValidationError("--server must be an http:// or https:// URL, got \(server)")
        }
        guard (1...4096).contains(procs) else { throw ValidationError("--procs must be within 1…4096") }
    }

    func run() async throws {
        let machine: MachineInfo
        do {
            machine = try MachineProbe.current()
        } catch {
            Console.error("cannot fingerprint this machine: \(error)")
            throw AgentExit.setup
        }
        guard let l2 = machine.cacheBytes(level: 2) else {
            Console.error("this machine reports no L2 cache size, which every formula needs")
            throw AgentExit.setup
        }
        let version =
            pypyVersion
            ?? Interpreter.discover(extra: [], environment: ProcessInfo.processInfo.environment)
            .first(where: \.isPyPy)?.info.version
        guard
            let query = PlanFetcher.hardwareQuery(machine: machine, procs: procs, pypyVersion: version),
            let base = URL(string: server),
            let url = PlanFetcher.url(server: base, path: "/api/v1/recommendations/nursery", query: query)
        else { throw ValidationError("--server is not a URL") }

        var request = URLRequest(url: url)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response): (Data, HTTPURLResponse)
        switch await ServerExchange.send(request, timeoutSeconds: 30) {
        case .success(let answer): (data, response) = answer
        case .failure(let failure):
            Console.error("cannot reach \(server): \(failure.reason)")
            throw AgentExit.spooled
        }
        let status = response.statusCode
        guard status == 200 else {
            let detail =
                (try? WireCoding.makeDecoder().decode(ProblemDetails.self, from: data))?.detail ?? "HTTP \(status)"
            Console.error("the server did not recommend: \(detail)")
            throw status == 503 || status >= 500 ? AgentExit.spooled : AgentExit.rejected
        }
        let answer = try WireCoding.makeDecoder().decode(RecommendationDocument.self, from: data)
        // Like the API's `format=env`: when the advice is to keep PyPy's default, print a comment,
        // which `eval` accepts and which sets nothing, so PyPy keeps reading its own rule.
        print(
            answer.keepDefault
                ? "# PYPY_GC_NURSERY: keep PyPy's default (\(answer.expectedGain.defaultPypyGCNursery))"
                : "PYPY_GC_NURSERY=\(answer.pypyGCNursery)")
        if explain { Console.info(Self.explanation(answer, machine: machine, l2: l2, version: version, procs: procs)) }
    }

    /// Why, in a few lines for stderr.
    static func explanation(
        _ answer: RecommendationDocument, machine: MachineInfo, l2: Int64, version: String?, procs: Int
    ) -> String {
        func percent(_ value: Double?) -> String { value.map { String(format: "%.1f%%", 100 * $0) } ?? "n/a" }
        let l3 = machine.cacheBytes(level: 3).map(NurserySize.format) ?? "none"
        var lines = [
            "machine: \(machine.cpuModel), L2 \(NurserySize.format(l2)), L3 \(l3), \(machine.physicalCores) cores; procs \(procs); PyPy \(version ?? "unknown (newest rule assumed)")",
            "answer from: \(answer.source == "measured" ? "this machine's own measured curve" : "the server's formula")",
            "expected gain over PyPy's default (\(answer.expectedGain.defaultPypyGCNursery)): \(percent(answer.expectedGain.mean)) (80%: \(percent(answer.expectedGain.p10)) to \(percent(answer.expectedGain.p90)); basis \(answer.expectedGain.basis))",
        ]
        if let formula = answer.formula {
            lines.append(
                "formula v\(formula.version) \(formula.name)\(formula.hardwareClass.map { " for \($0)" } ?? ""): \(formula.text)"
            )
            lines.append(
                "held-out regret \(percent(answer.heldOutRegret?.mean)) vs PyPy's own rule \(percent(answer.pypyDefaultRegret?.mean)) (mean over machines of CPU models the fit did not see)"
            )
        }
        if let interval = answer.interval {
            lines.append(
                "this machine's best is likely within \(interval.lower)…\(interval.upper) (\(Int(interval.coverage * 100))% of training machines)"
            )
        }
        lines.append(
            answer.insideTrainingRange
                ? "this machine lies inside the training range"
                : "this machine lies OUTSIDE the training range: the answer is an extrapolation")
        if answer.formula?.synthetic == true {
            lines.append("WARNING: the server's formula was fitted on synthetic (demo) data")
        }
        if answer.keepDefault { lines.append("keep the default: \(answer.advice)") }
        return lines.joined(separator: "\n")
    }
}
