import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The agent's side of trust against a live server: receipts kept, the install token sent back,
    /// deletion from the agent; and the rate limit keyed on the real peer address.
    @Suite("Trust end to end", .serialized)
    struct TrustEndToEndTests {
        @Test("the agent keeps its install across uploads and deletes a submission with its stored token")
        func agentInstallAndDelete() async throws {
            let directory = try TemporaryDirectory()
            let database = directory.path("trust.sqlite")
            let root = directory.url
            try await LiveServer.run(databasePath: database) { baseURL in
                let receipts = ReceiptStore(file: root.appendingPathComponent("state/receipts.json"))
                let delivery = Delivery(
                    uploader: Uploader(server: baseURL), spool: Spool(directory: root.appendingPathComponent("spool")),
                    receipts: receipts)
                let first = SweepFixture.make(id: UUID(), rounds: 3)
                let second = SweepFixture.make(id: UUID(), rounds: 3, seed: 99)
                for submission in [first, second] {
                    guard
                        case .stored = try await delivery.deliver(try SweepFixture.json(submission), id: submission.id)
                    else {
                        Issue.record("not stored")
                        return
                    }
                }
                #expect(receipts.installToken(for: baseURL) != nil)
                let permissions =
                    try FileManager.default.attributesOfItem(atPath: receipts.file.path)[.posixPermissions] as? Int
                #expect(permissions == 0o600)
                let token = try #require(receipts.receipt(id: first.id)?.deletionToken)

                #expect(
                    await SubmissionDeleter(server: baseURL).delete(id: first.id, token: SecretToken.generate())
                        == .refused(
                            status: 403,
                            problem: ProblemDetails(
                                title: "Forbidden", status: 403,
                                detail: "The deletion token does not match this submission")))
                #expect(await SubmissionDeleter(server: baseURL).delete(id: first.id, token: token) == .deleted)
                #expect(await SubmissionDeleter(server: baseURL).delete(id: first.id, token: token) == .notFound)
                let client = HTTPClient(baseURL: baseURL)
                #expect(try await client.getSubmission(first.id).status == 404)
                #expect(try await client.getSubmission(second.id).status == 200)
            }
            // Both uploads belong to one install.
            let store = try SQLiteResultStore(path: database)
            let installs = Set(try await store.submissionProvenance().compactMap(\.installID))
            #expect(installs.count == 1)
        }

        @Test(
            "the per-address limit keys on the real peer: the fourth quick POST from 127.0.0.1 is 429 with Retry-After")
        func peerAddressLimit() async throws {
            let directory = try TemporaryDirectory()
            try await LiveServer.run(
                databasePath: directory.path("limit.sqlite"),
                configure: {
                    $0.addressRateLimit = RateLimit(perMinute: 1, burst: 3)
                }
            ) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                var statuses: [Int] = []
                for n in 0..<4 {
                    statuses.append(
                        try await client.postSubmission(
                            try SweepFixture.json(SweepFixture.make(id: UUID(), rounds: 3, seed: UInt64(n)))
                        ).status)
                }
                #expect(statuses == [201, 201, 201, 429])
                let limited = try await client.postSubmission(try SweepFixture.json())
                #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
                #expect(try limited.problem()?.status == 429)
                #expect(limited.header("X-Content-Type-Options") == "nosniff")
            }
        }
    }
}
