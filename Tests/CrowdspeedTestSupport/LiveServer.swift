import CrowdspeedServer
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the real `crowdspeed serve` application — the same `buildApplication` the executable
/// calls — on a free loopback port over a database file, and stops it gracefully (as SIGTERM
/// would) when the body returns.
public enum LiveServer {
    /// Starts the server on `databasePath`, runs `body` with its base URL, then shuts it down and
    /// waits until it has stopped, so the next server may open the same file. `configure`
    /// adjusts the configuration (rate limits start off).
    public static func run<Value: Sendable>(
        databasePath: String,
        configure: (inout Configuration) -> Void = { _ in },
        _ body: @Sendable (_ baseURL: URL) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "crowdspeed.e2e")
        logger.logLevel = .warning
        var configuration = Configuration(host: "127.0.0.1", port: 0, databasePath: databasePath, logLevel: .warning)
        // Every test client is 127.0.0.1: rate limits are off unless a test turns them on.
        configuration.addressRateLimit = nil
        configuration.installRateLimit = nil
        configure(&configuration)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = try await buildApplication(configuration: configuration) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw StartFailure()
            }
            let result: Result<Value, any Error>
            do {
                result = .success(try await body(URL(string: "http://127.0.0.1:\(port)")!))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// The server stopped before it listened.
    public struct StartFailure: Error {}
}

/// A scratch directory for one test's database, removed afterwards.
public struct TemporaryDirectory: ~Copyable {
    public let url: URL

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
