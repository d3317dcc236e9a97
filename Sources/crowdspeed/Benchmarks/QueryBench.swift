import ArgumentParser
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Synchronization

/// `crowdspeed bench query`: latency of the API and pages with 10k and 100k simulated machines
/// stored, the full refit of those machines from the database (time and peak memory of
/// `crowdspeed refit` as a child process), the server's memory while serving, and the streamed
/// exports' first byte, rate and the server's memory while they stream (``ExportBench``).
///
/// The populations are loaded once through the server's own ingest path
/// (the ``Pipeline``: validation, curves, machine summaries) straight into a database
/// file — not over HTTP — and kept under `--data-dir` for later runs.
struct QueryBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "API and page latency, refit time and server memory with large populations stored.")

    @Option(help: "Comma-separated population sizes.")
    var machines: String = "10000,100000"

    @Option(help: "Requests per endpoint per run.")
    var requests: Int = 300

    @Option(help: "Runs (medians of the per-run percentiles are reported).")
    var runs: Int = 3

    @Option(help: "Population seed.")
    var seed: UInt64 = 11

    @Option(help: ArgumentHelp("Where loaded populations are kept between runs.", valueName: "path"))
    var dataDir: String = ".build-bench"

    @Option(help: "Seconds at most per endpoint and run (slow pages are then timed on fewer requests).")
    var secondsPerEndpoint: Int = 20

    @Option(help: "Seconds at most per streamed export after the queries (0 skips them).")
    var exportSeconds: Int = 60

    @Flag(inversion: .prefixedNo, help: "Also time a full refit of each population.")
    var refit = true

    func validate() throws {
        guard let sizes = IngestBench.levels(machines), !sizes.isEmpty,
            sizes.allSatisfy({ (10...1_000_000).contains($0) })
        else {
            throw ValidationError("--machines must be a comma-separated list within 10…1000000")
        }
        guard (10...100_000).contains(requests) else { throw ValidationError("--requests must be within 10…100000") }
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be within 1…20") }
    }

    func run() async throws {
        BenchMachine.warnIfDebug()
        BenchMachine.emit(BenchMachine.description())
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        for size in IngestBench.levels(machines) ?? [] {
            let path = try await population(size: size)
            if refit { try await timeRefit(path: path, size: size) }
            try await timeQueries(path: path, size: size)
        }
    }

    /// The database of `size` machines, loaded now unless an earlier run left it.
    func population(size: Int) async throws -> String {
        let path = URL(fileURLWithPath: dataDir).appendingPathComponent("population-\(size)-seed\(seed)-v2.sqlite").path
        if FileManager.default.fileExists(atPath: path) { return path }
        let loading = path + ".loading"
        let store = try SQLiteResultStore(path: loading)
        let ingestor = Pipeline(stores: StoreCapabilities(store))
        let simulator = PopulationSimulator(seed: seed)
        // An interrupted load resumes: ingestion is idempotent, and at most the 16 in flight
        // when it stopped are missing below the count.
        let resumeAt = max(0, try await store.dashboardCounts().submissions - 16)
        let skipped = Tally()
        let start = ContinuousClock.now
        // Enough tasks in flight that the writer always has work while others simulate.
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = resumeAt
            func add() {
                let index = next
                next += 1
                group.addTask {
                    let submission = BenchPayloads.distinctMachine(
                        simulator.machine(at: index).submission, index: index)
                    do {
                        _ = try await ingestor.ingest(submission, receivedAt: Date())
                    } catch is SubmissionRejection {
                        // The simulator occasionally draws a value the format refuses (a failed
                        // sample's time below 0.001 ms): such a machine is left out, as the
                        // server would refuse it.
                        skipped.count.add(1, ordering: .relaxed)
                    }
                }
            }
            for _ in 0..<min(16, size - resumeAt) { add() }
            while try await group.next() != nil {
                if next < size { add() }
                if next % 1000 == 0 { FileHandle.standardError.write(Data("\rloading \(next)/\(size)".utf8)) }
            }
        }
        if skipped.count.load(ordering: .relaxed) > 0 {
            BenchMachine.emit(
                "left out \(skipped.count.load(ordering: .relaxed)) simulated machines the format refuses")
        }
        let seconds = RefitBench.seconds(ContinuousClock.now - start)
        FileHandle.standardError.write(Data("\n".utf8))
        BenchMachine.emit(
            String(
                format: "loaded %d machines through the ingest path in %.1f s (%.0f submissions/s, not durable)", size,
                seconds, Double(size) / seconds))
        // The loaded file becomes the population only through SQLite, once the store has closed
        // (its drain task ended, its connections closed): a rename of a file still open, or
        // without its WAL, would lose commits. The copy goes to a partial name first so that
        // an interrupted copy is never taken for a whole population by the next run.
        try await store.close()
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try SQLiteResultStore.copyDatabase(at: loading, to: partial)
        try FileManager.default.moveItem(atPath: partial, toPath: path)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: loading + suffix) }
        return path
    }

    /// `crowdspeed refit --demo` on the population: wall time and peak resident memory (VmHWM,
    /// sampled every 20 ms until it exits), median and maximum over the runs.
    func timeRefit(path: String, size: Int) async throws {
        var seconds: [Double] = []
        var peaks: [Double] = []
        for _ in 0..<runs {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: IngestBench.executablePath())
            process.arguments = ["refit", "--db", path, "--demo"]
            process.standardOutput = FileHandle.nullDevice
            let start = ContinuousClock.now
            try process.run()
            var peak = 0.0
            while process.isRunning {
                peak = max(peak, Self.peakMiB(pid: process.processIdentifier) ?? 0)
                try await Task.sleep(for: .milliseconds(20))
            }
            seconds.append(RefitBench.seconds(ContinuousClock.now - start))
            peaks.append(peak)
            guard process.terminationStatus == 0 else {
                throw CommandFailure.exit("refit exited with \(process.terminationStatus)")
            }
        }
        BenchMachine.emit(
            String(
                format:
                    "refit of %d machines from the database (crowdspeed refit, child process): median %.2f s (min %.2f), peak RSS %.0f MiB  load %@",
                size, (Median.of(seconds) ?? .nan), seconds.min() ?? .nan, peaks.max() ?? .nan,
                BenchMachine.loadAverage()))
    }

    /// A count shared by loading tasks (the atomic lives in a class so closures can hold it).
    private final class Tally: Sendable {
        let count = Atomic<Int>(0)
    }

    /// VmHWM of a process in MiB, nil once it is gone.
    static func peakMiB(pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) }
                .map { $0 / 1024 }
        }
        return nil
    }

    /// Latency of each endpoint at concurrency 1 against the server on the population.
    func timeQueries(path: String, size: Int) async throws {
        let store = try SQLiteResultStore(path: path)
        let sample = try await store.machines(limit: 60, offset: size / 3).machines
        let machineCount = try await store.dashboardCounts().machines
        BenchMachine.emit("population: \(machineCount) machines stored")
        guard sample.count >= 3 else { throw CommandFailure.exit("population \(path) has too few machines") }
        let directory = try BenchDirectory()
        let server = try await BenchServer(
            executable: IngestBench.executablePath(), database: ["--db", path], durable: true, demo: true,
            logPath: directory.path("server.log"))
        defer { server.stop() }
        // The formula the refit stored must be served before recommendations can be timed.
        let formulas = await LoadRunner.run(
            ports: [server.port], concurrency: 1,
            requests: [HTTPConnection.request(method: "GET", path: "/api/v1/formulas")], expected: [200])
        if formulas.statuses[200] != 1 { FileHandle.standardError.write(Data("warning: no formula served yet\n".utf8)) }

        func cycle(_ make: (Int) -> String) -> [[UInt8]] {
            (0..<requests).map { HTTPConnection.request(method: "GET", path: make($0)) }
        }
        let ids = sample.map(\.id)
        let endpoints: [(String, [[UInt8]])] = [
            ("machine page /machines/{id}", cycle { "/machines/\(ids[$0 % ids.count])" }),
            ("machine API /api/v1/machines/{id}", cycle { "/api/v1/machines/\(ids[$0 % ids.count])" }),
            (
                "compare page (3 machines)",
                cycle { i in
                    "/compare?m=\(ids[i % ids.count])&m=\(ids[(i + 1) % ids.count])&m=\(ids[(i + 2) % ids.count])"
                }
            ),
            ("formulas API /api/v1/formulas", cycle { _ in "/api/v1/formulas" }),
            ("formulas page /formulas", cycle { _ in "/formulas" }),
            ("recommendation by hardware", cycle { i in Self.recommendationPath(sample[i % sample.count]) }),
            ("recommendation ?machine=ID", cycle { "/api/v1/recommendations/nursery?machine=\(ids[$0 % ids.count])" }),
            ("overview page /", cycle { _ in "/" }),
            ("machines page /machines", cycle { _ in "/machines" }),
        ]
        BenchMachine.emit(
            "queries with \(size) machines stored (concurrency 1, \(requests) requests per endpoint, medians of \(runs) runs):"
        )
        BenchMachine.emit("endpoint                                 p50_ms   p95_ms   errors  answered")
        for (name, requests) in endpoints {
            var p50s: [Double] = []
            var p95s: [Double] = []
            var errors = 0
            var answered: [Int] = []
            let limit = Duration.seconds(secondsPerEndpoint)
            _ = await LoadRunner.run(
                ports: [server.port], concurrency: 1, requests: Array(requests.prefix(20)), expected: [200],
                timeLimit: limit)
            for _ in 0..<runs {
                let outcome = await LoadRunner.run(
                    ports: [server.port], concurrency: 1, requests: requests, expected: [200], timeLimit: limit)
                answered.append(outcome.latenciesMs.count)
                let latencies = LatencySummary(outcome.latenciesMs)
                p50s.append(latencies.percentile(50))
                p95s.append(latencies.percentile(95))
                errors += outcome.errors(expected: [200])
                for sample in outcome.samples { FileHandle.standardError.write(Data("  \(name): \(sample)\n".utf8)) }
            }
            BenchMachine.emit(
                String(
                    format: "%@ %8.2f %8.2f %8d %9d", name.padding(toLength: 38, withPad: " ", startingAt: 0),
                    (Median.of(p50s) ?? .nan), (Median.of(p95s) ?? .nan), errors,
                    answered.min() ?? 0))
        }
        let memory = server.memory()
        BenchMachine.emit(
            String(
                format: "server RSS after the queries: %.1f MiB (peak %.1f MiB)  load %@", memory.rssMiB,
                memory.peakMiB, BenchMachine.loadAverage()))
        if exportSeconds > 0 { try ExportBench.run(server: server, limit: exportSeconds) }
    }

    /// A recommendation query from a machine's hardware.
    static func recommendationPath(_ machine: MachineSummary) -> String {
        var query =
            "l2_bytes=\(machine.l2Bytes ?? 1 << 20)&physical_cores=\(machine.physicalCores)&arch=\(machine.arch)&cpu_vendor=\(machine.cpuVendor)&procs=1"
        if let l3 = machine.l3Bytes { query += "&l3_bytes=\(l3)" }
        return "/api/v1/recommendations/nursery?" + query
    }
}
