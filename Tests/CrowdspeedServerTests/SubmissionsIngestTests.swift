import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `POST /api/v1/submissions` through the router, on the real SQLite store.
@Suite("POST /api/v1/submissions")
struct SubmissionsIngestTests {
    @Test("a full sweep is stored: 201, receipt, Location, and every sample readable")
    func createsSubmission() async throws {
        let submission = SweepFixture.make()
        try await RouterHarness.run { client, store in
            let response = try await client.postSubmission(try SweepFixture.json(submission))
            #expect(response.status == .created)
            let receipt = try response.decode(SubmissionReceipt.self)
            let machineID = submission.machine.machineID
            // The tokens are random; that they are present and well formed is the trust tests' subject.
            #expect(receipt.deletionToken?.count == 43 && receipt.installToken?.count == 43)
            #expect(
                receipt
                    == SubmissionReceipt(
                        id: submission.id, machineID: machineID, status: "created",
                        links: [
                            "self": "/api/v1/submissions/\(submission.id.uuidString.lowercased())",
                            "machine": "/api/v1/machines/\(machineID)",
                        ],
                        deletionToken: receipt.deletionToken, installToken: receipt.installToken))
            #expect(response.headers[.location] == receipt.links["self"])

            let stored = try #require(try await store.submission(id: submission.id))
            #expect(stored.submission == submission)
            #expect(stored.machineID == machineID)
            #expect(stored.receivedAt == SweepFixture.now)
        }
    }

    @Test("the same submission again answers 200 duplicate and stores nothing twice")
    func duplicateIsIdempotent() async throws {
        let body = try SweepFixture.json()
        try await RouterHarness.run { client, store in
            #expect(try await client.postSubmission(body).status == .created)
            let again = try await client.postSubmission(body)
            #expect(again.status == .ok)
            let receipt = try again.decode(SubmissionReceipt.self)
            #expect(receipt.status == "duplicate")
            #expect(receipt.id == SweepFixture.id)

            let page = try await store.machines(limit: 10, offset: 0)
            #expect(page.total == 1)
            #expect(page.machines.first?.submissionCount == 1)
            let detail = try #require(try await store.machine(id: SweepFixture.machine().machineID))
            #expect(detail.submissions.map(\.id) == [SweepFixture.id])
        }
    }

    @Test("the same id with different content is a 409 and leaves the first copy untouched")
    func conflictingDuplicate() async throws {
        let first = SweepFixture.make()
        var changed = first
        changed.results[0].samples[0].cpuMs += 1
        let second = changed
        try await RouterHarness.run { client, store in
            #expect(try await client.postSubmission(try SweepFixture.json(first)).status == .created)
            let response = try await client.postSubmission(try SweepFixture.json(second))
            #expect(response.status == .conflict)
            let problem = try response.problem()
            #expect(problem.errors?.map(\.field) == ["id"])
            #expect(try await store.submission(id: first.id)?.submission == first)
        }
    }

    @Test("bad input is refused with a problem naming the field, and nothing is stored", arguments: try BadInput.all())
    func refusesBadInput(_ input: BadInput) async throws {
        try await RouterHarness.run { client, store in
            let response = try await client.postSubmission(input.body, contentType: input.contentType)
            #expect(Int(response.status.code) == input.status)
            let problem = try response.problem()
            let issue = try #require(
                problem.errors?.first { $0.field == input.field }, "errors: \(problem.errors ?? [])")
            if !input.reason.isEmpty {
                #expect(issue.reason.contains(input.reason), "reason: \(issue.reason)")
            }
            #expect(problem.detail?.isEmpty == false)

            #expect(try await store.submission(id: SweepFixture.id) == nil)
            #expect(try await store.machines(limit: 10, offset: 0).total == 0)
        }
    }

    @Test("a body above the limit is 413 and nothing is stored")
    func oversizedBody() async throws {
        var limits = SubmissionLimits.standard
        limits.maxBodyBytes = 16 << 10
        let body = try SweepFixture.json()
        #expect(body.count > limits.maxBodyBytes)
        try await RouterHarness.run(limits: limits) { client, store in
            let response = try await client.postSubmission(body)
            #expect(response.status == .contentTooLarge)
            let problem = try response.problem()
            #expect(problem.detail?.contains("\(16 << 10) bytes") == true)
            #expect(try await store.machines(limit: 10, offset: 0).total == 0)
        }
    }

    @Test("the configured limits are the ones enforced")
    func configuredLimits() async throws {
        var limits = SubmissionLimits.standard
        limits.maxSamplesPerResult = 10
        try await RouterHarness.run(limits: limits) { client, store in
            let response = try await client.postSubmission(try SweepFixture.json())
            #expect(response.status == .unprocessableContent)
            #expect(try response.problem().errors?.contains { $0.field == "results[0].samples" } == true)
        }
    }

    @Test("content types: charset utf-8 and parameters are accepted")
    func acceptsJSONWithCharset() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.postSubmission(
                try SweepFixture.json(), contentType: "Application/JSON; charset=UTF-8")
            #expect(response.status == .created)
        }
    }
}
