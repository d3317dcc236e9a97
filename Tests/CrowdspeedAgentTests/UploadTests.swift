import CrowdspeedCore
import Foundation
import Testing
@testable import CrowdspeedAgent

/// Spool, consent and delivery without a server (the server-up half lives in the end-to-end tests).
@Suite struct UploadTests {
    /// A fresh scratch directory.
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-agent-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func spoolDirectoryFollowsXDGThenHome() {
        #expect(
            Spool.defaultDirectory(environment: ["XDG_DATA_HOME": "/x/data", "HOME": "/home/a"]).path
                == "/x/data/crowdspeed/spool")
        #expect(
            Spool.defaultDirectory(environment: ["HOME": "/home/a"]).path == "/home/a/.local/share/crowdspeed/spool")
        // A relative XDG value is invalid by the spec and ignored.
        #expect(
            Spool.defaultDirectory(environment: ["XDG_DATA_HOME": "rel", "HOME": "/home/a"]).path
                == "/home/a/.local/share/crowdspeed/spool")
    }

    @Test func unreachableServerLeavesThePayloadInTheSpool() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = Spool(directory: directory)
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        let delivery = Delivery(
            uploader: Uploader(server: URL(string: "http://127.0.0.1:1")!, timeoutSeconds: 5), spool: spool)
        let id = UUID()
        let payload = Data("{\"id\":\"\(id.uuidString)\"}".utf8)
        let outcome = try await delivery.deliver(payload, id: id)
        guard case .spooled(_, let file) = outcome else {
            Issue.record("expected spooled, got \(outcome)")
            return
        }
        #expect(file.lastPathComponent == "\(id.uuidString.lowercased()).json")
        #expect(FileManager.default.contents(atPath: file.path) == payload)
        #expect(spool.pending() == [file])
        // flush keeps it too while the server is down.
        let flushed = try await delivery.flush()
        #expect(flushed.count == 1)
        #expect(spool.pending().count == 1)
    }

    @Test func rejectedPayloadsMoveAsideAndStayOutOfFlush() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spool = Spool(directory: directory)
        let file = try spool.store(Data("{}".utf8), id: UUID())
        let moved = try spool.reject(file)
        #expect(moved.deletingLastPathComponent().lastPathComponent == "rejected")
        #expect(FileManager.default.fileExists(atPath: moved.path))
        #expect(spool.pending().isEmpty)
    }

    @Test func consentIsRememberedPerServer() throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ConsentStore(file: directory.appendingPathComponent("state/consent.json"))
        let server = URL(string: "https://speed.example.org/")!
        #expect(!store.hasConsent(for: server))
        try store.grant(for: server)
        #expect(store.hasConsent(for: URL(string: "https://speed.example.org")!))
        #expect(!store.hasConsent(for: URL(string: "https://other.example.org")!))
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(Uploader.retryAfterSeconds("42", now: now) == 42)
        #expect(Uploader.retryAfterSeconds(" 0 ", now: now) == 0)
        #expect(Uploader.retryAfterSeconds(nil, now: now) == nil)
        #expect(Uploader.retryAfterSeconds("-3", now: now) == nil)
        #expect(Uploader.retryAfterSeconds("soon", now: now) == nil)
        // 1_795_000_000 is Wed, 18 Nov 2026 11:06:40 GMT.
        #expect(Uploader.retryAfterSeconds("Wed, 18 Nov 2026 11:07:10 GMT", now: now) == 30)
        #expect(Uploader.retryAfterSeconds("Wed, 18 Nov 2026 11:00:00 GMT", now: now) == 0)
        #expect(DeliveryOutcome.rateLimitedReason(retryAfterSeconds: 12) == "rate limited, retry after 12 s")
    }

    @Test func machineLinksAreMadeAbsolute() {
        let uploader = Uploader(server: URL(string: "http://127.0.0.1:8080")!)
        #expect(uploader.endpoint.absoluteString == "http://127.0.0.1:8080/api/v1/submissions")
        #expect(uploader.absolute("/api/v1/machines/m-1") == "http://127.0.0.1:8080/api/v1/machines/m-1")
    }

    @Test func machinePageIsTheDashboardPage() {
        let uploader = Uploader(server: URL(string: "http://127.0.0.1:8080")!)
        #expect(
            uploader.machinePage("m-0123456789abcdef").absoluteString
                == "http://127.0.0.1:8080/machines/m-0123456789abcdef")
        // A server behind a path prefix keeps it, as the ingestion endpoint does.
        let prefixed = Uploader(server: URL(string: "https://example.org/crowdspeed/")!)
        #expect(prefixed.machinePage("m-1").absoluteString == "https://example.org/crowdspeed/machines/m-1")
    }

    @Test func problemsListEveryFieldError() {
        let problem = ProblemDetails(
            title: "Invalid submission", status: 422, detail: "2 problems",
            errors: [
                FieldIssue(field: "results[0].samples[0].cpu_ms", reason: "must be a finite number"),
                FieldIssue(field: "machine.arch", reason: "must not be empty"),
            ])
        #expect(
            problem.readable
                == "Invalid submission (HTTP 422)\n2 problems\n  - results[0].samples[0].cpu_ms: must be a finite number\n  - machine.arch: must not be empty"
        )
    }
}
