import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension EndToEnd {
    /// The real `crowdspeed serve` binary, killed with SIGKILL in the middle of concurrent
    /// ingestion, five times over, on one database file: every submission it acknowledged is
    /// present and identical afterwards, nothing half-stored exists, aggregates agree with the
    /// rows, and `PRAGMA integrity_check` passes.
    @Suite("Crash safety", .serialized, .timeLimit(.minutes(2)))
    struct CrashSafetyTests {
        /// The `crowdspeed` binary built next to the test bundle (`swift build --build-tests` builds
        /// every product), or `$CROWDSPEED_BINARY`.
        static func serverBinary() throws -> URL {
            var candidates = [
                Bundle.main.executableURL?.deletingLastPathComponent(),
                Bundle.main.bundleURL.deletingLastPathComponent(),
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent()
                    .appendingPathComponent(".build/debug"),
            ].compactMap { $0?.appendingPathComponent("crowdspeed") }
            if let explicit = ProcessInfo.processInfo.environment["CROWDSPEED_BINARY"] {
                candidates.insert(URL(fileURLWithPath: explicit), at: 0)
            }
            return try #require(
                candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                "build the server first: swift build --product crowdspeed")
        }

        /// One running server process and the port it reported.
        struct Server {
            var process: Process
            var port: Int
        }

        /// Starts `crowdspeed serve` on `database` with an OS-chosen port (read from its log line)
        /// and rate limits off (every client here is 127.0.0.1).
        static func start(database: String) async throws -> Server {
            let process = Process()
            process.executableURL = try serverBinary()
            process.arguments = [
                "serve", "--db", database, "--port", "0", "--rate-limit", "off", "--install-rate-limit", "off",
                "--log-level", "info",
            ]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            let (lines, continuation) = AsyncStream.makeStream(of: String.self)
            errors.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    continuation.finish()
                } else {
                    continuation.yield(String(decoding: data, as: UTF8.self))
                }
            }
            try process.run()
            var text = ""
            for await chunk in lines {
                text += chunk
                if let match = text.firstMatch(of: /http:\/\/127\.0\.0\.1:([0-9]+)/), let port = Int(match.1) {
                    // Keep draining stderr so the child never blocks on a full pipe.
                    Task { for await _ in lines {} }
                    return Server(process: process, port: port)
                }
            }
            throw StartFailure(log: text)
        }

        struct StartFailure: Error, CustomStringConvertible {
            var log: String
            var description: String { "the server exited before listening:\n\(log)" }
        }

        /// Submissions acknowledged (201/200) and every one sent, by id.
        final class Ledger: Sendable {
            let acknowledged = Mutex<[UUID: Submission]>([:])
            let sent = Mutex<[UUID: Submission]>([:])
        }

        /// Tells the workers to stop once the server is dead.
        final class StopFlag: Sendable {
            private let value = Mutex(false)
            var isSet: Bool { value.withLock { $0 } }
            func set() { value.withLock { $0 = true } }
        }

        @Test("five SIGKILLs during concurrent ingestion lose no acknowledged submission and corrupt nothing")
        func killDuringIngestion() async throws {
            let directory = try TemporaryDirectory()
            let database = directory.path("crash.sqlite")
            let ledger = Ledger()
            var seed: UInt64 = 1
            for round in 0..<5 {
                let server = try await Self.start(database: database)
                let client = HTTPClient(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)
                let before = ledger.acknowledged.withLock { $0.count }
                let stop = StopFlag()
                let firstSeed = seed
                seed += 10_000
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var n: UInt64 = 0
                            while !stop.isSet {
                                n += 1
                                let submission = SweepFixture.make(
                                    id: UUID(), rounds: 3, seed: firstSeed + UInt64(worker) * 1_000 + n)
                                ledger.sent.withLock { $0[submission.id] = submission }
                                guard let reply = try? await client.postSubmission(SweepFixture.json(submission)) else {
                                    return
                                }
                                if reply.status == 201 || reply.status == 200 {
                                    ledger.acknowledged.withLock { $0[submission.id] = submission }
                                }
                            }
                        }
                    }
                    // Kill once this round has had some acknowledged writes, then a little later,
                    // so the kill lands while requests are in flight. Bounded in time either way.
                    let deadline = ContinuousClock.now + .seconds(15)
                    while ledger.acknowledged.withLock({ $0.count }) < before + 8 + round * 3,
                        ContinuousClock.now < deadline
                    {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    try await Task.sleep(for: .milliseconds(37 * (round + 1)))
                    kill(server.process.processIdentifier, SIGKILL)
                    server.process.waitUntilExit()
                    stop.set()
                    try await group.waitForAll()
                }
                #expect(server.process.terminationReason == .uncaughtSignal)
                #expect(ledger.acknowledged.withLock { $0.count } > before, "round \(round) acknowledged nothing")
            }

            // A restart after the last kill serves every acknowledged submission.
            let server = try await Self.start(database: database)
            let client = HTTPClient(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)
            let acknowledged = ledger.acknowledged.withLock { $0 }
            for id in acknowledged.keys.sorted(by: { $0.uuidString < $1.uuidString }).prefix(10) {
                #expect(try await client.getSubmission(id).status == 200)
            }
            server.process.terminate()
            server.process.waitUntilExit()

            // Every acknowledged submission is present and identical; anything else stored (sent,
            // committed, killed before the answer) is intact too; aggregates agree; the file is sound.
            #expect(try SQLiteResultStore.integrityProblems(at: database).isEmpty)
            let store = try SQLiteResultStore(path: database)
            for (id, submission) in acknowledged {
                let stored = try await store.submission(id: id)
                #expect(stored?.submission == submission, "acknowledged \(id) missing or altered")
            }
            let sent = ledger.sent.withLock { $0 }
            let provenance = try await store.submissionProvenance()
            #expect(provenance.count >= acknowledged.count)
            for row in provenance {
                #expect(try await store.submission(id: row.submissionID)?.submission == sent[row.submissionID])
            }
            let machines = try await store.machines(limit: 10, offset: 0)
            #expect(machines.machines.map(\.submissionCount).reduce(0, +) == provenance.count)
            print(
                "crash test: \(acknowledged.count) acknowledged, \(provenance.count) stored, \(sent.count) sent over 5 kills"
            )
        }
    }
}
