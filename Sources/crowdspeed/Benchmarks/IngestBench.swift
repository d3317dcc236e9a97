import ArgumentParser
import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation

/// `crowdspeed bench ingest`: submissions per second, samples per second and latency of
/// `POST /api/v1/submissions` against the real server (a child process on a loopback port, a
/// fresh temporary database, durable setting), at several client concurrencies; then the
/// physical reference — the same bodies decoded and stored by the same ingest path in one
/// process, without HTTP — and the server's ratio to it.
///
/// With `--database-url postgres://…` the servers run on PostgreSQL instead (a new database on
/// that server for each run), `--instances` of them sharing it behind an even spread of the
/// client connections, as behind a round-robin proxy.
///
/// `--mode` chooses who submits: a crowd (every submission a new machine), one machine (a
/// nightly CI box), or one machine that already has `--history` submissions stored; the last
/// also compares the store's write time per submission with a new machine's.
struct IngestBench: AsyncParsableCommand {
    /// Who submits.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case crowd
        case sameMachine = "same-machine"
        case history
    }
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Ingestion throughput and latency over HTTP, and the in-process reference.")

    @Option(help: "Comma-separated client concurrencies.")
    var concurrency: String = "1,8,32"

    @Option(help: "Submissions per run at concurrency 8 and above (a quarter of it at lower concurrency).")
    var requests: Int = 2000

    @Option(help: "Runs per concurrency (medians are reported).")
    var runs: Int = 3

    @Option(help: "Population seed of the submitted machines.")
    var seed: UInt64 = 7

    @Flag(inversion: .prefixedNo, help: "Durable setting (fsync before every acknowledgement), as the targets require.")
    var durable = true

    @Flag(inversion: .prefixedNo, help: "Also measure the in-process reference.")
    var reference = true

    @Option(
        help: """
            crowd: every submission a new machine; same-machine: every submission from one machine; history: one \
            machine with --history submissions already stored, then the same load.
            """)
    var mode: Mode = .crowd

    @Option(help: "Prior submissions of the machine in --mode history.")
    var history: Int = 5000

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "Run on PostgreSQL: a postgres:// URL whose user may CREATE DATABASE; each run gets a new database there, dropped afterwards (default: a new SQLite file per run).",
            valueName: "url"))
    var databaseURL: String?

    @Option(help: "Servers sharing the database (PostgreSQL only), the client connections spread evenly over them.")
    var instances: Int = 1

    func validate() throws {
        guard let levels = Self.levels(concurrency), !levels.isEmpty, levels.allSatisfy({ (1...256).contains($0) })
        else {
            throw ValidationError("--concurrency must be a comma-separated list within 1…256")
        }
        guard (50...100_000).contains(requests) else { throw ValidationError("--requests must be within 50…100000") }
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be within 1…20") }
        guard (0...100_000).contains(history) else { throw ValidationError("--history must be within 0…100000") }
        guard (1...8).contains(instances) else { throw ValidationError("--instances must be within 1…8") }
        if let databaseURL {
            do {
                _ = try PostgresURL(databaseURL)
            } catch {
                throw ValidationError(
                    "--database-url: \(error.description) (a SQLite bench needs no URL: it makes its own file per run)")
            }
            if mode == .history {
                throw ValidationError(
                    "--mode history runs on SQLite only (its prepared history is copied with SQLite's backup)")
            }
        } else if instances > 1 {
            throw ValidationError("--instances above 1 needs --database-url: SQLite serves one process")
        }
    }

    static func levels(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? nil : parts.compactMap { $0 }
    }

    func run() async throws {
        BenchMachine.warnIfDebug()
        BenchMachine.emit(BenchMachine.description())
        let levels = Self.levels(concurrency) ?? []
        let warmupCount = 64
        FileHandle.standardError.write(Data("encoding \(requests + warmupCount) submissions…\n".utf8))
        let bodies =
            mode == .crowd
            ? await BenchPayloads.encoded(seed: seed, first: 0, count: requests + warmupCount)
            : try BenchPayloads.sameMachine(seed: seed, count: requests + warmupCount)
        let warmup = bodies.prefix(warmupCount).map(BenchPayloads.postRequest)
        let measured = Array(bodies.dropFirst(warmupCount))
        let samplesPerSubmission = try Self.meanSamples(measured.prefix(200))
        let meanBytes = measured.reduce(0) { $0 + $1.count } / max(1, measured.count)
        BenchMachine.emit(
            "ingest: \(databaseURL != nil ? "PostgreSQL's durability settings (below)" : durable ? "durable (synchronous=FULL)" : "normal (synchronous=NORMAL)"), \(String(format: "%.0f", samplesPerSubmission)) samples and \(meanBytes / 1024) KiB per submission, medians of \(runs) runs"
        )
        let postgres = try databaseURL.map { try PostgresURL($0) }
        if let postgres {
            BenchMachine.emit(
                "database: \(try await PostgresDatabase.describe(postgres, logger: DatabaseOptions.logger)); \(instances) server instance\(instances == 1 ? "" : "s")"
            )
        }
        BenchMachine.emit(
            "mode: "
                + (mode == .crowd
                    ? "crowd (every submission a new machine)"
                    : mode == .sameMachine
                        ? "same machine (every submission from one machine, starting from none)"
                        : "history (one machine with \(history) submissions stored before the load)"))
        // The history itself, loaded once in process and copied (through SQLite) for each run.
        let historyDatabase = mode == .history ? try await Self.historyDatabase(count: history) : nil
        BenchMachine.emit(
            "concurrency  requests   subs/s  samples/s   p50_ms   p99_ms  errors  cpu_ms/sub  server_rss_MiB  server_peak_MiB  load"
        )
        var serverRates: [Int: Double] = [:]
        for level in levels {
            let count = level >= 8 ? measured.count : max(50, measured.count / 4)
            let requests = measured.prefix(count).map(BenchPayloads.postRequest)
            var rates: [Double] = []
            var p50s: [Double] = []
            var p99s: [Double] = []
            var rss: [Double] = []
            var peaks: [Double] = []
            var cpuPerSubmission: [Double] = []
            var errors = 0
            for _ in 0..<runs {
                let directory = try BenchDirectory()
                if let historyDatabase {
                    try await historyDatabase.store.backup(to: directory.path("bench.sqlite"))
                }
                let (outcome, cpuSeconds, memory) = try await Self.withServers(
                    instances, database: postgres, directory: directory, durable: durable
                ) { servers in
                    let ports = servers.map(\.port)
                    _ = await LoadRunner.run(
                        ports: ports, concurrency: min(level, 8), requests: warmup, expected: [201])
                    let cpuBefore = servers.reduce(0) { $0 + $1.cpuSeconds() }
                    let outcome = await LoadRunner.run(
                        ports: ports, concurrency: level, requests: requests, expected: [201])
                    let cpuSeconds = servers.reduce(0) { $0 + $1.cpuSeconds() } - cpuBefore
                    // Per server: each instance is a process an operator sizes on its own.
                    let memories = servers.map { $0.memory() }
                    return (
                        outcome, cpuSeconds,
                        (rssMiB: memories.map(\.rssMiB).max() ?? .nan, peakMiB: memories.map(\.peakMiB).max() ?? .nan)
                    )
                }
                cpuPerSubmission.append(1000 * cpuSeconds / Double(requests.count))
                let latencies = LatencySummary(outcome.latenciesMs)
                rates.append(Double(requests.count) / outcome.seconds)
                p50s.append(latencies.percentile(50))
                p99s.append(latencies.percentile(99))
                rss.append(memory.rssMiB)
                peaks.append(memory.peakMiB)
                errors += outcome.errors(expected: [201])
                for sample in outcome.samples { FileHandle.standardError.write(Data("  \(sample)\n".utf8)) }
            }
            let rate = Median.of(rates) ?? .nan
            serverRates[level] = rate
            BenchMachine.emit(
                String(
                    format: "%11d %9d %8.1f %10.0f %8.2f %8.2f %7d %11.2f %15.1f %16.1f  %@", level, requests.count,
                    rate,
                    rate * samplesPerSubmission, (Median.of(p50s) ?? .nan), (Median.of(p99s) ?? .nan), errors,
                    (Median.of(cpuPerSubmission) ?? .nan), (Median.of(rss) ?? .nan),
                    peaks.max() ?? .nan, BenchMachine.loadAverage()))
        }
        guard reference else { return }
        guard postgres == nil else {
            BenchMachine.emit("reference: not measured on PostgreSQL (the in-process reference is SQLite's)")
            return
        }
        let level = levels.max() ?? 32
        var rates: [Double] = []
        for _ in 0..<runs {
            let directory = try BenchDirectory()
            rates.append(
                try await Self.referenceRate(
                    bodies: measured, warmup: Array(bodies.prefix(warmupCount)), concurrency: level, durable: durable,
                    path: directory.path("reference.sqlite")))
        }
        let rate = Median.of(rates) ?? .nan
        BenchMachine.emit(
            String(
                format:
                    "reference (decode + validate + derive + store in one process, no HTTP, %d tasks): %.1f subs/s, %.0f samples/s",
                level, rate, rate * samplesPerSubmission))
        if let server = serverRates[level] {
            BenchMachine.emit(
                String(format: "server at concurrency %d / reference: %.0f%%", level, 100 * server / rate))
        }
    }

    /// Starts `count` servers on one database: a new SQLite file in `directory`, or a new
    /// database on the PostgreSQL server `postgres` names (dropped afterwards); runs `body` with
    /// them and stops them.
    static func withServers<Result: Sendable>(
        _ count: Int, database postgres: PostgresURL?, directory: BenchDirectory, durable: Bool,
        _ body: ([BenchServer]) async throws -> Result
    ) async throws -> Result {
        func run(_ database: [String], durable: Bool) async throws -> Result {
            var servers: [BenchServer] = []
            defer { servers.forEach { $0.stop() } }
            // One at a time, so the first applies the migrations and the others find them done.
            for index in 0..<count {
                servers.append(
                    try await BenchServer(
                        executable: executablePath(), database: database, durable: durable, demo: false,
                        logPath: directory.path("server-\(index).log")))
            }
            return try await body(servers)
        }
        guard let postgres else { return try await run(["--db", directory.path("bench.sqlite")], durable: durable) }
        return try await PostgresDatabase.withScratchDatabase(
            on: postgres, prefix: "crowdspeed_bench_", logger: DatabaseOptions.logger
        ) { scratch in
            // PostgreSQL's durability is its own setting (described in the output), not the server's flag.
            try await run(["--database-url", scratch.connectionText], durable: false)
        }
    }

    /// The physical reference: `bodies` decoded and stored through ``Pipeline`` (the
    /// server's own path, tokens included) by `concurrency` tasks in this process.
    static func referenceRate(bodies: [Data], warmup: [Data], concurrency: Int, durable: Bool, path: String)
        async throws -> Double
    {
        let store = try SQLiteResultStore(path: path, configuration: .init(durability: durable ? .durable : .normal))
        let ingestor = Pipeline(stores: StoreCapabilities(store))
        @Sendable func ingest(_ body: Data) async throws {
            let submission = try Submission.decode(from: body)
            _ = try await ingestor.ingest(
                submission, receivedAt: Date(),
                credentials: IngestCredentials(
                    presentedInstallHash: nil, newInstallHash: SecretToken.digest(SecretToken.generate()),
                    deletionHash: SecretToken.digest(SecretToken.generate())))
        }
        for body in warmup { try await ingest(body) }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            for _ in 0..<min(concurrency, bodies.count) {
                let body = bodies[next]
                next += 1
                group.addTask { try await ingest(body) }
            }
            while try await group.next() != nil {
                guard next < bodies.count else { continue }
                let body = bodies[next]
                next += 1
                group.addTask { try await ingest(body) }
            }
        }
        return Double(bodies.count) / RefitBench.seconds(ContinuousClock.now - start)
    }

    /// A database holding `count` submissions of the machine ``BenchPayloads/sameMachine(seed:count:)``
    /// sends, loaded through the pipeline in this process; and the store's write time per
    /// submission measured on it against a new machine's (emitted).
    static func historyDatabase(count: Int) async throws -> (directory: BenchDirectory, store: SQLiteResultStore) {
        let directory = try BenchDirectory()
        let store = try SQLiteResultStore(path: directory.path("history.sqlite"))
        let pipeline = Pipeline(stores: StoreCapabilities(store))
        let sweep = try Submission.decode(from: try BenchPayloads.sameMachine(seed: 7, count: 1)[0])
        FileHandle.standardError.write(Data("loading \(count) prior submissions of one machine…\n".utf8))
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for _ in stride(from: worker, to: count, by: 8) {
                        var copy = sweep
                        copy.id = UUID()
                        _ = try await pipeline.ingest(copy, receivedAt: Date())
                    }
                }
            }
            try await group.waitForAll()
        }
        BenchMachine.emit(
            String(
                format: "history: %d submissions loaded in %.1f s (%.2f ms each, 8 in flight)", count,
                RefitBench.seconds(ContinuousClock.now - start),
                1000 * RefitBench.seconds(ContinuousClock.now - start) / Double(max(1, count))))
        // Store write time (one transaction each, one at a time, summaries left out): the same
        // machine's next submissions against new machines' on the same database.
        let crowd = await BenchPayloads.encoded(seed: 7, first: 50_000, count: 200)
        var sameMs: [Double] = []
        var newMs: [Double] = []
        for body in crowd {
            var copy = sweep
            copy.id = UUID()
            sameMs.append(try await timedStore(copy, pipeline: pipeline))
            newMs.append(try await timedStore(try Submission.decode(from: body), pipeline: pipeline))
        }
        let same = Median.of(sameMs) ?? .nan
        let new = Median.of(newMs) ?? .nan
        BenchMachine.emit(
            String(
                format:
                    "store write per submission (median of %d, interleaved): machine with %d prior %.2f ms, new machine %.2f ms, ratio %.2f",
                crowd.count, count, same, new, same / new))
        return (directory, store)
    }

    /// Milliseconds the store takes to write `submission` with its curves (the writer's part of
    /// an ingest; the summaries that follow it are not timed).
    static func timedStore(_ submission: Submission, pipeline: Pipeline) async throws -> Double {
        let curves = CurveDerivation.curves(of: submission)
        let start = ContinuousClock.now
        let result = try await pipeline.stores.results.ingest(
            submission, receivedAt: Date(), credentials: nil, curves: curves)
        let elapsed = 1000 * RefitBench.seconds(ContinuousClock.now - start)
        await pipeline.summarizer.summarize(result.curveWindows)
        return elapsed
    }

    /// The mean sample count of `bodies`.
    static func meanSamples(_ bodies: ArraySlice<Data>) throws -> Double {
        let counts = try bodies.map { try Submission.decode(from: $0).results.reduce(0) { $0 + $1.samples.count } }
        return Double(counts.reduce(0, +)) / Double(max(1, counts.count))
    }

    /// This executable, to start as the server.
    static func executablePath() -> String {
        Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}

/// A temporary directory for one run's database and server log, removed afterwards.
final class BenchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
