import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The cross-cutting behaviour: every error is problem+json with the right status, request ids,
/// health, and 500 only for real faults.
@Suite("Errors, request ids, health")
struct ErrorHandlingTests {
    @Test("an unknown path is a 404 problem")
    func unknownPath() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: "/api/v2/anything", method: .get)
            #expect(response.status == .notFound)
            _ = try response.problem()
        }
    }

    @Test(
        "a known path with an unsupported method is a 405 problem with Allow",
        arguments: [
            ("/api/v1/submissions", HTTPRequest.Method.get, "POST"),
            ("/api/v1/submissions/3b0d6f7c-1e2a-4c5b-9d8e-7f6a5b4c3d2e", .put, "DELETE, GET, HEAD"),
            ("/api/v1/machines", .post, "GET, HEAD"),
            ("/healthz", .delete, "GET, HEAD"),
        ])
    func methodNotAllowed(_ path: String, _ method: HTTPRequest.Method, _ allow: String) async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: path, method: method)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == allow)
            _ = try response.problem()
        }
    }

    @Test("a sane X-Request-ID is echoed; a missing or unsafe one is replaced by a fresh id")
    func requestIDs() async throws {
        let header = HTTPField.Name("X-Request-ID")!
        try await RouterHarness.run { client, _ in
            let echoed = try await client.execute(uri: "/healthz", method: .get, headers: [header: "agent-run.42"])
            #expect(echoed.headers[header] == "agent-run.42")

            let fresh = try await client.execute(uri: "/healthz", method: .get)
            let first = try #require(fresh.headers[header])
            let other = try await client.execute(uri: "/nowhere", method: .get)
            #expect(other.headers[header] != nil)
            #expect(other.headers[header] != first)

            let unsafe = try await client.execute(
                uri: "/healthz", method: .get, headers: [header: "evil\"id with spaces"])
            #expect(unsafe.headers[header] != "evil\"id with spaces")
            #expect(unsafe.headers[header]?.isEmpty == false)
        }
    }

    @Test("healthz answers 200 when the store reads")
    func healthy() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(String(decoding: response.data, as: UTF8.self) == #"{"status":"ok"}"#)
        }
    }

    @Test("HEAD is answered wherever GET is")
    func head() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: "/healthz", method: .head)
            #expect(response.status == .ok)
            #expect(response.data.isEmpty)
        }
    }

    @Test("a store fault is a 500 problem (never the error's text) and healthz reports 503")
    func storeFault() async throws {
        try await RouterHarness.run(results: { _ in BrokenStore() }) { client, _ in
            let ingest = try await client.postSubmission(try SweepFixture.json())
            #expect(ingest.status == .internalServerError)
            let problem = try ingest.problem()
            #expect(problem.detail?.contains("disk on fire") == false)
            #expect(problem.detail?.contains("X-Request-ID") == true)

            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            _ = try health.problem()
        }
    }

    @Test("bad input is refused before the store is consulted, even when the store is broken")
    func badInputNeverReaches500() async throws {
        try await RouterHarness.run(results: { _ in BrokenStore() }) { client, _ in
            let response = try await client.postSubmission(Data("{".utf8))
            #expect(response.status == .badRequest)
        }
    }
}

/// A store whose every call fails, standing in for a disk or database fault the real store
/// cannot be made to produce on demand.
private struct BrokenStore: ResultStore {
    struct Fault: Error, CustomStringConvertible {
        var description: String { "disk on fire" }
    }

    func ingest(
        _ submission: Submission, receivedAt: Date, credentials: IngestCredentials?, curves: [WorkloadCurve]
    ) async throws -> IngestResult { throw Fault() }
    func submission(id: UUID) async throws -> StoredSubmission? { throw Fault() }
    func machines(limit: Int, offset: Int) async throws -> MachinePage { throw Fault() }
    func machine(id: String) async throws -> MachineDetail? { throw Fault() }
    func deleteSubmission(id: UUID, deletionTokenHash: String, at: Date) async throws -> DeletionOutcome {
        throw Fault()
    }
    func setQuarantine(
        _ target: ModerationTarget, quarantined: Bool, reason: String?, actor: String, at: Date
    ) async throws -> ModerationOutcome {
        throw Fault()
    }
    func auditLog(limit: Int) async throws -> [AuditEntry] { throw Fault() }
    func submissionProvenance() async throws -> [SubmissionProvenance] { throw Fault() }
}
