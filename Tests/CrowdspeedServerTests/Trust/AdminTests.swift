import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The admin API: token checks, quarantine and release of each kind, marks on reads, the audit log.
@Suite("Admin API")
struct AdminTests {
    static let token = "an-admin-token-with-enough-entropy-0123456789"

    static func moderate(
        _ client: some TestClientProtocol, _ action: String, kind: String, id: String, token: String? = AdminTests.token
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let body = try JSONSerialization.data(withJSONObject: ["kind": kind, "id": id, "reason": "test"])
        return try await client.execute(
            uri: "/api/v1/admin/\(action)", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    private struct MachineList: Decodable { var total: Int }
    private struct Moderation: Decodable {
        var kind: String
        var id: String
        var quarantined: Bool
        var changed: Bool
    }
    private struct Audit: Decodable { var entries: [AuditEntryDocument] }
    private struct SubmissionMarks: Decodable { var quarantined: Bool }

    @Test("403 when no admin token is configured, 401 without a token, 403 with a wrong one")
    func authorization() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await Self.moderate(client, "quarantine", kind: "machine", id: "m-0123456789abcdef")
            #expect(response.status == .forbidden)
            #expect(try response.problem().detail?.contains("disabled") == true)
        }
        try await RouterHarness.run(configure: { $0.adminTokenHash = SecretToken.digest(Self.token) }) { client, _ in
            let missing = try await Self.moderate(
                client, "quarantine", kind: "machine", id: "m-0123456789abcdef", token: nil)
            #expect(missing.status == .unauthorized)
            let wrong = try await Self.moderate(
                client, "quarantine", kind: "machine", id: "m-0123456789abcdef", token: "guess")
            #expect(wrong.status == .forbidden)
            let audit = try await client.execute(uri: "/api/v1/admin/audit", method: .get)
            #expect(audit.status == .unauthorized)
        }
    }

    @Test("quarantine hides the machine from the list and marks the submission; release restores; all audited")
    func quarantineAndRelease() async throws {
        try await RouterHarness.run(configure: { $0.adminTokenHash = SecretToken.digest(Self.token) }) { client, _ in
            let submission = SweepFixture.make()
            _ = try await client.postSubmission(try SweepFixture.json(submission))
            let machineID = submission.machine.machineID
            let id = submission.id.uuidString.lowercased()

            let quarantined = try await Self.moderate(client, "quarantine", kind: "submission", id: id)
            #expect(quarantined.status == .ok)
            let result = try quarantined.decode(Moderation.self)
            #expect(result.quarantined && result.changed && result.kind == "submission")
            #expect(try await client.getMachines().decode(MachineList.self).total == 0)
            #expect(try await client.getSubmission(id).decode(SubmissionMarks.self).quarantined)
            #expect(
                try await Self.moderate(client, "quarantine", kind: "submission", id: id).decode(Moderation.self)
                    .changed == false)

            #expect(try await Self.moderate(client, "release", kind: "submission", id: id).status == .ok)
            #expect(try await client.getMachines().decode(MachineList.self).total == 1)
            #expect(try await client.getSubmission(id).decode(SubmissionMarks.self).quarantined == false)

            #expect(try await Self.moderate(client, "quarantine", kind: "machine", id: machineID).status == .ok)
            #expect(try await client.getMachines().decode(MachineList.self).total == 0)
            #expect(try await client.getMachine(machineID).decode(MachineDocument.self).summary.quarantined)

            let audit = try await client.execute(
                uri: "/api/v1/admin/audit?limit=10", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            let entries = try audit.decode(Audit.self).entries
            #expect(entries.map(\.action) == ["quarantine", "release", "quarantine", "quarantine"])
            #expect(entries.allSatisfy { $0.actor == "admin-api" && $0.reason == "test" })
        }
    }

    @Test("a bad kind or id is 400, an unknown target 404, a non-JSON body 415")
    func badRequests() async throws {
        try await RouterHarness.run(configure: { $0.adminTokenHash = SecretToken.digest(Self.token) }) { client, _ in
            #expect(try await Self.moderate(client, "quarantine", kind: "planet", id: "x").status == .badRequest)
            #expect(
                try await Self.moderate(client, "quarantine", kind: "machine", id: "m-nothex").status == .badRequest)
            #expect(
                try await Self.moderate(client, "quarantine", kind: "install", id: "i-0123456789abcdef").status
                    == .notFound)
            let text = try await client.execute(
                uri: "/api/v1/admin/release", method: .post,
                headers: [.authorization: "Bearer \(Self.token)", .contentType: "text/plain"],
                body: ByteBuffer(string: "machine"))
            #expect(text.status == .unsupportedMediaType)
            let broken = try await client.execute(
                uri: "/api/v1/admin/release", method: .post,
                headers: [.authorization: "Bearer \(Self.token)", .contentType: "application/json"],
                body: ByteBuffer(string: "{\"kind\": 3"))
            #expect(broken.status == .badRequest)
            _ = try broken.problem()
        }
    }
}
