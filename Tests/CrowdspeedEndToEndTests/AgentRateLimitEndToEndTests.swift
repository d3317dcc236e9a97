import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The agent against a live server that rate limits it: a 429 is a wait, not a refusal.
    @Suite("Agent under a rate limit")
    struct AgentRateLimitEndToEndTests {
        @Test(
            "a 429 spools (never rejects) with its Retry-After; flush stops at it; the CLI says 'rate limited, retry after N s'"
        )
        func rateLimited() async throws {
            let directory = try TemporaryDirectory()
            let spool = Spool(directory: directory.url.appendingPathComponent("spool"))
            let submissions = try (0..<4).map { _ in try AgentEndToEndTests.submission() }
            let payloads = try submissions.map { try WireCoding.makeEncoder().encode($0) }
            let home = directory.url.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)

            try await LiveServer.run(
                databasePath: directory.url.appendingPathComponent("db.sqlite").path,
                configure: {
                    // One write, then a minute's wait: the second upload is answered 429.
                    $0.addressRateLimit = RateLimit(perMinute: 1, burst: 1)
                }
            ) { baseURL in
                let delivery = Delivery(uploader: Uploader(server: baseURL, timeoutSeconds: 10), spool: spool)
                guard case .stored = try await delivery.deliver(payloads[0], id: submissions[0].id) else {
                    Issue.record("the first upload should be stored")
                    return
                }
                let limited = try await delivery.deliver(payloads[1], id: submissions[1].id)
                guard case .rateLimited(let seconds, let file) = limited else {
                    Issue.record("a 429 should be reported as rate limited, not \(limited)")
                    return
                }
                let wait = try #require(seconds)
                #expect(wait > 0 && wait <= 60)
                #expect(
                    DeliveryOutcome.rateLimitedReason(retryAfterSeconds: wait) == "rate limited, retry after \(wait) s")
                #expect(FileManager.default.fileExists(atPath: file.path), "the payload waits in the spool")
                #expect(spool.pending().count == 1)
                #expect(!FileManager.default.fileExists(atPath: spool.rejectedDirectory.path), "nothing is rejected")

                // Flush stops at the first 429 instead of sending the rest into the same wall.
                _ = try spool.store(payloads[2], id: submissions[2].id)
                _ = try spool.store(payloads[3], id: submissions[3].id)
                let flushed = try await delivery.flush()
                #expect(flushed.count == 1, "flush went on after being told to wait: \(flushed.map(\.outcome))")
                if case .rateLimited = flushed.first?.outcome {
                } else {
                    Issue.record("flush: \(String(describing: flushed.first?.outcome))")
                }
                #expect(spool.pending().count == 3)

                // The command line says so and exits 3 (spooled), keeping every file.
                let cli = try await AgentEndToEndTests.runAgent(
                    ["flush", "--server", baseURL.absoluteString, "--spool", spool.directory.path], home: home)
                #expect(cli.exitCode == 3, "stderr: \(cli.stderr)")
                #expect(cli.stderr.contains("rate limited, retry after "), "stderr: \(cli.stderr)")
                #expect(!cli.stderr.contains("unreachable") && !cli.stderr.contains("refused"), "stderr: \(cli.stderr)")
                #expect(spool.pending().count == 3)
                #expect(!FileManager.default.fileExists(atPath: spool.rejectedDirectory.path))

                // Only the first submission reached the database.
                let client = HTTPClient(baseURL: baseURL)
                #expect(
                    try await client.send("GET", "/api/v1/submissions/\(submissions[0].id.uuidString.lowercased())")
                        .status == 200)
                for submission in submissions.dropFirst() {
                    #expect(
                        try await client.send("GET", "/api/v1/submissions/\(submission.id.uuidString.lowercased())")
                            .status == 404)
                }
            }
        }
    }
}
