import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The real agent against the real server on loopback: the spool's round trip, and the
    /// `crowdspeed-agent` binary running a (much reduced) sweep on the real `pypy3`.
    @Suite("Agent end to end", .serialized)
    struct AgentEndToEndTests {
        /// The `crowdspeed-agent` binary built next to the test bundle.
        static func agentBinary() throws -> URL {
            let candidates = [
                Bundle.main.executableURL?.deletingLastPathComponent(),
                Bundle.main.bundleURL.deletingLastPathComponent(),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent()
                    .appendingPathComponent(".build/debug"),
            ].compactMap { $0?.appendingPathComponent("crowdspeed-agent") }
            return try #require(
                candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                "build the agent first: swift build --product crowdspeed-agent")
        }

        /// Runs the agent binary with a private HOME (consent state, default spool).
        static func runAgent(_ arguments: [String], home: URL) async throws -> ChildOutcome {
            var environment = ProcessInfo.processInfo.environment
            environment["HOME"] = home.path
            environment["XDG_DATA_HOME"] = nil
            environment["XDG_STATE_HOME"] = nil
            let command = ChildCommand(
                executable: try agentBinary().path, arguments: arguments, environment: environment)
            // `ChildProcess` waits synchronously; on a thread of its own it cannot starve the
            // cooperative pool that the live server in the same process runs on (2 cores here).
            return try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try ChildProcess.runConcurrently([command])[0] }) }.start()
            }
        }

        /// A small valid submission of this machine.
        static func submission() throws -> Submission {
            Submission(
                id: UUID(), createdAt: Date(), agent: AgentIdentity.info, source: .agent,
                machine: try MachineProbe.current(),
                interpreter: InterpreterInfo(
                    implementation: "PyPy", version: "7.3.11", languageVersion: "3.9.16", executable: "pypy3"),
                run: RunInfo(seed: 1, rounds: 1, warmupRounds: 1),
                results: [
                    BenchmarkResult(
                        benchmark: BenchmarkName.gcbench, benchmarkVersion: "1", params: ResultParams(procs: 1),
                        samples: [Sample(wallMs: 500, cpuMs: 480, maxRSSBytes: 100 << 20, round: 0, foreignLoad: 0.01)])
                ])
        }

        @Test("server down → spooled; server up → flush → stored once; a refused payload is kept aside")
        func spoolRoundTrip() async throws {
            let directory = try TemporaryDirectory()
            let spool = Spool(directory: directory.url.appendingPathComponent("spool"))
            let submission = try Self.submission()
            let payload = try WireCoding.makeEncoder().encode(submission)

            let down = Delivery(
                uploader: Uploader(server: URL(string: "http://127.0.0.1:1")!, timeoutSeconds: 5), spool: spool)
            guard case .spooled = try await down.deliver(payload, id: submission.id) else {
                Issue.record("an unreachable server must spool")
                return
            }
            #expect(spool.pending().count == 1)

            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let up = Delivery(uploader: Uploader(server: baseURL), spool: spool)
                let flushed = try await up.flush()
                #expect(flushed.count == 1)
                guard case .stored(let receipt) = flushed.first?.outcome else {
                    Issue.record("flush did not store: \(String(describing: flushed.first?.outcome))")
                    return
                }
                #expect(receipt.id == submission.id)
                #expect(receipt.status == "created")
                #expect(spool.pending().isEmpty)
                #expect(try await up.flush().isEmpty)

                // The same id again (a lost acknowledgement, a second flush): stored once.
                guard case .stored(let again) = try await up.deliver(payload, id: submission.id) else {
                    Issue.record("a repeated id must be acknowledged")
                    return
                }
                #expect(again.status == "duplicate")
                let client = HTTPClient(baseURL: baseURL)
                let machine = try await client.getMachine(receipt.machineID).decode(MachineDocument.self)
                #expect(machine.submissions.map(\.id) == [submission.id])

                // A payload the server refuses is kept in rejected/, with the field named.
                var bad = try Self.submission()
                bad.results[0].samples[0].foreignLoad = 3
                guard
                    case .rejected(let status, let problem, let keptAt) = try await up.deliver(
                        try WireCoding.makeEncoder().encode(bad), id: bad.id)
                else {
                    Issue.record("an invalid submission must be rejected")
                    return
                }
                #expect((400..<500).contains(status))
                #expect(problem?.errors?.contains { $0.field == "results[0].samples[0].foreign_load" } == true)
                #expect(FileManager.default.fileExists(atPath: keptAt.path))
                #expect(spool.pending().isEmpty)
            }
        }

        @Test("the agent binary sweeps real pypy3 and the server holds this machine's real caches")
        func agentBinaryQuickSweep() async throws {
            let directory = try TemporaryDirectory()
            let home = directory.url.appendingPathComponent("home")
            let spoolPath = directory.path("spool")
            // --quick, reduced further for test time: 2 sizes + the default, 1 process, 2 measured rounds.
            let sweep = [
                "--quick", "--no-discover", "--python", "/usr/bin/pypy3", "--grid", "1M,8M", "--procs", "1", "--rounds",
                "2", "--seed", "42",
            ]

            // Server down first: the run exits 3 and leaves the submission in the spool.
            let offline = try await Self.runAgent(
                ["run", "--server", "http://127.0.0.1:1", "--yes", "--spool", spoolPath] + sweep, home: home)
            #expect(offline.exitCode == 3, "\(offline.stderr)")
            #expect(offline.stderr.contains("server unreachable"))
            let spooled = try FileManager.default.contentsOfDirectory(atPath: spoolPath).filter {
                $0.hasSuffix(".json")
            }
            #expect(spooled.count == 1)
            let spooledSubmission = try WireCoding.makeDecoder().decode(
                Submission.self,
                from: Data(contentsOf: URL(fileURLWithPath: spoolPath).appendingPathComponent(spooled[0])))
            #expect(spooledSubmission.run?.seed == 42)
            #expect(spooledSubmission.run?.rounds == 2)
            #expect(
                Set(spooledSubmission.results.filter { $0.benchmark == "gcbench" }.map(\.params.nurseryBytes)) == [
                    nil, 1 << 20, 8 << 20,
                ])

            let machine = try MachineProbe.current()
            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let online = try await Self.runAgent(
                    ["run", "--server", baseURL.absoluteString, "--yes", "--spool", spoolPath] + sweep, home: home)
                #expect(online.exitCode == 0, "\(online.stderr)")
                // The earlier spooled run went up first, then this one.
                #expect(online.stdout.contains("stored as submission \(spooledSubmission.id.uuidString.lowercased())"))
                #expect(online.stdout.contains("procs=1: best "))
                // The link printed is the dashboard page a person opens, not the JSON document.
                let pageLink = "\(baseURL.absoluteString)/machines/\(machine.machineID)"
                #expect(online.stdout.contains("machine page: \(pageLink)\n"), "\(online.stdout)")
                #expect(
                    try FileManager.default.contentsOfDirectory(atPath: spoolPath).filter { $0.hasSuffix(".json") }
                        .isEmpty)

                let client = HTTPClient(baseURL: baseURL)
                let page = try await client.send("GET", pageLink)
                #expect(page.status == 200)
                #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
                #expect(String(decoding: page.body, as: UTF8.self).contains(machine.machineID))
                let detail = try await client.getMachine(machine.machineID).decode(MachineDocument.self)
                #expect(detail.submissions.count == 2)
                // The real caches of this machine, as sysfs lists them, came through the whole path.
                #expect(
                    detail.hardware.caches.sorted { ($0.level, $0.type.rawValue) < ($1.level, $1.type.rawValue) }
                        == machine.caches.sorted { ($0.level, $0.type.rawValue) < ($1.level, $1.type.rawValue) })
                #expect(detail.hardware.cacheBytes(level: 2) == Self.sysfsSize(level: 2))
                #expect(detail.hardware.cacheBytes(level: 3) == Self.sysfsSize(level: 3))
                #expect(detail.hardware.cpuinfoCacheBytes == machine.cpuinfoCacheBytes)

                let stored = try await client.getSubmission(spooledSubmission.id).decode(Submission.self)
                #expect(stored.interpreter.implementation == "PyPy")
                let gc = stored.results.filter { $0.benchmark == "gcbench" }
                #expect(gc.count == 3)
                #expect(
                    gc.allSatisfy {
                        $0.samples.count == 2
                            && $0.samples.allSatisfy { $0.cpuMs > 0 && $0.maxRSSBytes > 0 && $0.failed == nil }
                    })
                #expect(stored.results.contains { $0.benchmark == "json.dumps" })
            }
        }

        /// The size of the `level` data/unified cache of cpu0, read straight from sysfs.
        static func sysfsSize(level: Int) -> Int64? {
            let base = "/sys/devices/system/cpu/cpu0/cache"
            for index in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
                func read(_ name: String) -> String? {
                    (try? String(contentsOfFile: "\(base)/\(index)/\(name)", encoding: .utf8))?.trimmingCharacters(
                        in: .whitespacesAndNewlines)
                }
                guard read("level") == String(level), read("type") != "Instruction", let size = read("size"),
                    size.hasSuffix("K"),
                    let kib = Int64(size.dropLast())
                else { continue }
                return kib * 1024
            }
            return nil
        }
    }
}
