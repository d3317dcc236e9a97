import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Runs router tests against the real SQLite store on a fresh temporary file, with the receiving
/// clock fixed at ``SweepFixture/now``.
enum RouterHarness {
    /// Builds the application over a new database and runs `test` with a router-level client and
    /// the store (to check what was, or was not, stored). `configure` adjusts the configuration
    /// (rate limits start off); `rateClock` drives the rate limits' buckets; `logger` receives
    /// what the application logs (warnings and above by default).
    static func run<Value: Sendable>(
        limits: SubmissionLimits = .standard,
        results replaceResults: ((SQLiteResultStore) -> any ResultStore)? = nil,
        configure: (inout Configuration) -> Void = { _ in },
        rateClock: @escaping @Sendable () -> Double = { 0 },
        logger: Logger? = nil,
        _ test: @Sendable (any TestClientProtocol, any ResultStore) async throws -> Value
    ) async throws -> Value {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "crowdspeed-router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("test.sqlite").path
        let store = try SQLiteResultStore(path: path)
        var stores = StoreCapabilities(store)
        if let replaceResults { stores.results = replaceResults(store) }
        var configuration = Configuration(databasePath: path, limits: limits, logLevel: .warning)
        configuration.port = 0
        // Rate limits are off unless a test turns them on: router tests share one "unknown" peer
        // and many post more than a burst's worth.
        configuration.addressRateLimit = nil
        configuration.installRateLimit = nil
        configure(&configuration)
        let router = buildRouter(
            pipeline: Pipeline(stores: stores, limits: configuration.limits), configuration: configuration,
            now: { SweepFixture.now }, rateClock: rateClock)
        let logger =
            logger
            ?? {
                var logger = Logger(label: "crowdspeed.test")
                logger.logLevel = .warning
                return logger
            }()
        let app = Application(router: router, logger: logger)
        return try await app.test(.router) { client in
            try await test(client, store)
        }
    }
}

extension TestClientProtocol {
    /// `POST /api/v1/submissions` with a JSON body (or another content type).
    func postSubmission(_ body: Data, contentType: String? = "application/json", headers: HTTPFields = [:]) async throws
        -> TestResponse
    {
        var fields = headers
        if let contentType { fields[.contentType] = contentType }
        return try await execute(
            uri: "/api/v1/submissions", method: .post, headers: fields, body: ByteBuffer(bytes: body))
    }

    /// `GET /api/v1/submissions/{id}`.
    func getSubmission(_ id: String) async throws -> TestResponse {
        try await execute(uri: "/api/v1/submissions/\(id)", method: .get)
    }

    /// `GET /api/v1/machines` with an optional query string.
    func getMachines(_ query: String = "") async throws -> TestResponse {
        try await execute(uri: "/api/v1/machines\(query.isEmpty ? "" : "?\(query)")", method: .get)
    }

    /// `GET /api/v1/machines/{id}`.
    func getMachine(_ id: String) async throws -> TestResponse {
        try await execute(uri: "/api/v1/machines/\(id)", method: .get)
    }
}

extension TestResponse {
    /// The body as `Data`.
    var data: Data { Data(body.readableBytesView) }

    /// Decodes a JSON body with the wire configuration.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        #expect(
            headers[.contentType]?.hasPrefix("application/json") == true,
            "content type \(headers[.contentType] ?? "none")")
        return try WireCoding.makeDecoder().decode(T.self, from: data)
    }

    /// Decodes a problem body, requiring the problem media type and a status that matches the
    /// response's.
    func problem() throws -> ProblemDetails {
        #expect(headers[.contentType] == ProblemDetails.mediaType, "content type \(headers[.contentType] ?? "none")")
        let problem = try WireCoding.makeDecoder().decode(ProblemDetails.self, from: data)
        #expect(problem.status == Int(status.code))
        return problem
    }
}
