import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Install tokens in receipts, and `DELETE /api/v1/submissions/{id}` with the deletion token.
@Suite("Deletion and install tokens")
struct DeletionTests {
    static func delete(_ client: some TestClientProtocol, _ id: UUID, headers: HTTPFields) async throws -> TestResponse
    {
        try await client.execute(
            uri: "/api/v1/submissions/\(id.uuidString.lowercased())", method: .delete, headers: headers)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test("the 201 carries both tokens; the install token, sent back, keeps the install and gets no new one")
    func tokens() async throws {
        try await RouterHarness.run { client, store in
            let first = try await client.postSubmission(try SweepFixture.json(SweepFixture.make(id: UUID())))
            #expect(first.status == .created)
            #expect(first.headers[.cacheControl] == "no-store")
            let receipt = try first.decode(SubmissionReceipt.self)
            let install = try #require(receipt.installToken)
            #expect(SecretToken.isWellFormed(install) && SecretToken.isWellFormed(receipt.deletionToken ?? ""))

            let second = try await client.postSubmission(
                try SweepFixture.json(SweepFixture.make(id: UUID())),
                headers: [HTTPField.Name("X-Crowdspeed-Install")!: install])
            let secondReceipt = try second.decode(SubmissionReceipt.self)
            #expect(secondReceipt.installToken == nil && secondReceipt.deletionToken != nil)
            let installs = Set(try await store.submissionProvenance().map(\.installID))
            #expect(installs.count == 1)
            // The database holds digests only: no token appears in it in the clear.
            #expect(try await store.submissionProvenance().allSatisfy { $0.installID != install })
        }
    }

    @Test(
        "401 without a token, 403 with a wrong one, 404 for an unknown id, 400 for a bad id; 204 removes it and its samples"
    )
    func delete() async throws {
        try await RouterHarness.run { client, store in
            let submission = SweepFixture.make()
            let receipt = try await client.postSubmission(try SweepFixture.json(submission)).decode(
                SubmissionReceipt.self)
            let token = try #require(receipt.deletionToken)

            let none = try await Self.delete(client, submission.id, headers: [:])
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            _ = try none.problem()
            #expect(
                try await Self.delete(client, submission.id, headers: Self.bearer(SecretToken.generate())).status
                    == .forbidden)
            #expect(try await Self.delete(client, submission.id, headers: Self.bearer("x")).status == .forbidden)
            #expect(try await Self.delete(client, UUID(), headers: Self.bearer(token)).status == .notFound)
            let bad = try await client.execute(
                uri: "/api/v1/submissions/nope", method: .delete, headers: Self.bearer(token))
            #expect(bad.status == .badRequest)
            #expect(try await client.getSubmission(submission.id.uuidString).status == .ok)

            let deleted = try await Self.delete(client, submission.id, headers: Self.bearer(token))
            #expect(deleted.status == .noContent)
            #expect(try await client.getSubmission(submission.id.uuidString).status == .notFound)
            #expect(try await client.getMachine(submission.machine.machineID).status == .notFound)
            #expect(try await store.machines(limit: 10, offset: 0).total == 0)
            #expect(try await Self.delete(client, submission.id, headers: Self.bearer(token)).status == .notFound)
        }
    }

    @Test("deleting one of a machine's runs rebuilds its curve summaries from the runs that remain")
    func deletionRefreshesMachineCurves() async throws {
        try await RouterHarness.run { client, resultStore in
            let store = try #require(resultStore as? SQLiteResultStore)
            let kept = SweepFixture.make(id: UUID(), rounds: 20)
            let removed = SweepFixture.make(id: UUID(), rounds: 6, seed: 9)
            #expect(kept.machine.machineID == removed.machine.machineID)
            _ = try await client.postSubmission(try SweepFixture.json(kept))
            let receipt = try await client.postSubmission(try SweepFixture.json(removed)).decode(SubmissionReceipt.self)
            let machineID = kept.machine.machineID
            #expect(try await store.machineCurves(machineID: machineID).allSatisfy { $0.summary.roundCount == 26 })

            let token = try #require(receipt.deletionToken)
            #expect(try await Self.delete(client, removed.id, headers: Self.bearer(token)).status == .noContent)
            let curves = try await store.machineCurves(machineID: machineID)
            #expect(!curves.isEmpty)
            #expect(curves.allSatisfy { $0.summary.roundCount == 20 }, "\(curves.map(\.summary.roundCount))")
        }
    }

    @Test(
        "X-Deletion-Token works too; a repeat from the same install re-issues the token and the old one stops working")
    func alternativeHeaderAndRotation() async throws {
        try await RouterHarness.run { client, _ in
            let submission = SweepFixture.make()
            let body = try SweepFixture.json(submission)
            let first = try await client.postSubmission(body).decode(SubmissionReceipt.self)
            let install = try #require(first.installToken)
            let repeated = try await client.postSubmission(
                body, headers: [HTTPField.Name("X-Crowdspeed-Install")!: install])
            #expect(repeated.status == .ok)
            let second = try repeated.decode(SubmissionReceipt.self)
            #expect(
                second.status == "duplicate" && second.deletionToken != nil
                    && second.deletionToken != first.deletionToken)
            // A repeat without the install gets no token.
            #expect(try await client.postSubmission(body).decode(SubmissionReceipt.self).deletionToken == nil)

            let header = HTTPField.Name("X-Deletion-Token")!
            #expect(
                try await Self.delete(client, submission.id, headers: [header: first.deletionToken!]).status
                    == .forbidden)
            #expect(
                try await Self.delete(client, submission.id, headers: [header: second.deletionToken!]).status
                    == .noContent)
        }
    }
}
