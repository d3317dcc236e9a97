import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// What the server logs about answers: a refused request or a planned 503 is not an error in
/// the operator's log; a real fault is.
@Suite("Request logging levels")
struct RequestLoggingTests {
    /// One log line as a handler received it.
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    /// A `LogHandler` that keeps every line it is given, shared by all copies of the logger.
    struct CapturingLogHandler: LogHandler {
        final class Lines: Sendable {
            let lines = Mutex<[Line]>([])
        }

        let captured: Lines
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let line = Line(
                level: event.level, message: event.message.description,
                metadata: metadata.merging(event.metadata ?? [:]) { $1 })
            captured.lines.withLock { $0.append(line) }
        }
    }

    /// A logger at trace level whose lines end up in `captured`.
    static func logger(_ captured: CapturingLogHandler.Lines) -> Logger {
        Logger(label: "crowdspeed.logging-test") { _ in CapturingLogHandler(captured: captured) }
    }

    /// The lines logged while answering `uri`, and its status.
    static func lines(
        for uri: String, headers: HTTPFields = [:], client: any TestClientProtocol, captured: CapturingLogHandler.Lines
    ) async throws -> (status: HTTPResponse.Status, lines: [Line]) {
        let before = captured.lines.withLock { $0.count }
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        return (response.status, captured.lines.withLock { Array($0[before...]) })
    }

    @Test(
        "expected answers are logged below error: 4xx at info, the 503 'no formula yet' at notice",
        arguments: [
            ("/api/v2/anything", 404, Logger.Level.info),
            ("/api/v1/machines?limit=many", 400, .info),
            ("/machines/not-a-machine", 400, .info),
            (
                "/api/v1/recommendations/nursery?l2_bytes=1048576&physical_cores=8&procs=2&arch=x86_64&cpu_vendor=AuthenticAMD",
                503, .notice
            ),
        ])
    func expectedAnswers(_ uri: String, _ status: Int, _ level: Logger.Level) async throws {
        let captured = CapturingLogHandler.Lines()
        try await RouterHarness.run(logger: Self.logger(captured)) { client, _ in
            let answer = try await Self.lines(
                for: uri, headers: [.accept: "text/html"], client: client, captured: captured)
            #expect(answer.status.code == status)
            let worst = answer.lines.map(\.level).max()
            #expect(worst == level, "\(answer.lines.map { "\($0.level) \($0.message)" })")
            #expect(!answer.lines.contains { $0.message.contains("failed") })
            let refusal = answer.lines.first { $0.message.hasSuffix("refused") }
            #expect(refusal?.level == level)
            #expect(refusal?.metadata["status"]?.description == String(status))
        }
    }

    @Test("a store fault is still logged at error as 'request failed', with the error")
    func realFailure() async throws {
        let captured = CapturingLogHandler.Lines()
        try await RouterHarness.run(logger: Self.logger(captured)) { client, store in
            // A real store whose connections are gone: every read throws.
            try await #require(store as? SQLiteResultStore).close()
            let failed = try await Self.lines(for: "/api/v1/machines", client: client, captured: captured)
            #expect(failed.status == .internalServerError)
            let error = failed.lines.first { $0.level == .error }
            #expect(error?.message == "request failed")
            #expect(error?.metadata["error"]?.description.contains("Connection is closed") == true)

            // healthz's 503 is a fault too (the database cannot be read), not a planned answer.
            let health = try await Self.lines(for: "/healthz", client: client, captured: captured)
            #expect(health.status == .serviceUnavailable)
            #expect(health.lines.contains { $0.level == .error && $0.message == "request failed" })
        }
    }
}
