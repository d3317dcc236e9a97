import ArgumentParser
import CrowdspeedCore
import Foundation

/// `crowdspeed bench first-formula`: how long a new server with default settings takes to serve
/// its first formula once it has `--refit-after` submissions (default 20), as an operator starting
/// a server and a first crowd of volunteers would see it.
///
/// A fresh server (default refit settings) is given a crowd's sweeps (simulated machines sent as
/// an agent's, so that a production server fits them): the first `after - 1`, then
/// the `after`-th, whose acknowledgement starts the clock, then the rest while
/// `GET /api/v1/formulas` is polled every 100 ms; the clock stops when it names a current
/// formula.
struct FirstFormulaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-formula",
        abstract: "Seconds from the --refit-after-th submission to the first formula served by a default server.")

    @Option(help: "Machines submitted in all (the crowd keeps submitting while the first fit runs).")
    var machines: Int = 120

    @Option(help: "The server's --refit-after (its default is 20).")
    var after: Int = 20

    @Option(help: "Runs (the median is reported).")
    var runs: Int = 3

    @Option(help: "Population seed of the submitted machines.")
    var seed: UInt64 = 7

    @Option(help: "Seconds to wait for the formula before a run counts as failed.")
    var timeout: Int = 600

    func validate() throws {
        guard (2...100_000).contains(after) else { throw ValidationError("--after must be within 2…100000") }
        guard machines >= after, machines <= 100_000 else {
            throw ValidationError("--machines must be at least --after and at most 100000")
        }
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be within 1…20") }
        guard (10...3600).contains(timeout) else { throw ValidationError("--timeout must be within 10…3600") }
    }

    func run() async throws {
        BenchMachine.warnIfDebug()
        BenchMachine.emit(BenchMachine.description())
        let bodies = await BenchPayloads.encoded(seed: seed, first: 0, count: machines, source: .agent).map(
            BenchPayloads.postRequest)
        BenchMachine.emit(
            "first formula of a default server (--refit-after \(after)), \(bodies.count) machines submitted, medians of \(runs) runs:"
        )
        BenchMachine.emit("run  seconds_after_the_\(after)th  load")
        var seconds: [Double] = []
        for run in 1...runs {
            let directory = try BenchDirectory()
            let server = try await BenchServer(
                executable: IngestBench.executablePath(), database: ["--db", directory.path("bench.sqlite")],
                durable: false, demo: false, logPath: directory.path("server.log"),
                extraArguments: ["--log-level", "info"] + (after == 20 ? [] : ["--refit-after", String(after)]))
            defer { server.stop() }
            let elapsed: Double
            do {
                elapsed = try await Self.timeFirstFormula(
                    port: server.port, bodies: bodies, after: after, timeout: .seconds(timeout))
            } catch {
                let log = (try? String(contentsOfFile: server.logPath, encoding: .utf8)) ?? ""
                let lines = log.split(separator: "\n").filter { !$0.hasSuffix("] request") }.suffix(20)
                FileHandle.standardError.write(
                    Data("the server's log, requests left out, ends:\n\(lines.joined(separator: "\n"))\n".utf8))
                throw error
            }
            seconds.append(elapsed)
            BenchMachine.emit(
                String(format: "%3d  %24.2f  %@", run, elapsed, BenchMachine.loadAverage()))
        }
        BenchMachine.emit(String(format: "median: %.2f s", Median.of(seconds) ?? .nan))
    }

    /// Submits `bodies` as described above; returns the seconds from the `after`-th acknowledgement
    /// to the first formula.
    static func timeFirstFormula(port: Int, bodies: [[UInt8]], after: Int, timeout: Duration) async throws -> Double {
        let before = await LoadRunner.run(
            ports: [port], concurrency: 4, requests: Array(bodies.prefix(after - 1)), expected: [201])
        guard before.errors(expected: [201]) == 0 else {
            throw CommandFailure.exit("submissions failed: \(before.samples.joined(separator: "; "))")
        }
        let connection = try HTTPConnection(port: port)
        let answer = try connection.send(bodies[after - 1])
        guard answer.status == 201 else {
            throw CommandFailure.exit("the \(after)th submission got HTTP \(answer.status)")
        }
        let start = ContinuousClock.now
        // The rest of the crowd arrives meanwhile, as it would.
        let rest = Task {
            await LoadRunner.run(
                ports: [port], concurrency: 4, requests: Array(bodies.dropFirst(after)), expected: [201])
        }
        defer { rest.cancel() }
        let poll = HTTPConnection.request(method: "GET", path: "/api/v1/formulas")
        while ContinuousClock.now - start < timeout {
            let formulas = try connection.send(poll)
            if formulas.status == 200,
                let document = try JSONSerialization.jsonObject(with: Data(formulas.body)) as? [String: Any],
                let current = document["current"], !(current is NSNull)
            {
                return RefitBench.seconds(ContinuousClock.now - start)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CommandFailure.exit("no formula within \(timeout) of the \(after)th submission")
    }
}
