import Foundation
import Logging
import PostgresNIO

/// Running a `PostgresClient` for a bounded piece of work (a command, a server's start-up),
/// outside a service group.
public enum PostgresDatabase {
    /// Runs `body` with a running client for `url`, shut down when `body` returns or throws.
    ///
    /// The client's `run()` is an unstructured task on purpose: a body that throws part-way must
    /// not cancel the client under a query still in flight before the error reaches the caller.
    public static func withRunningClient<Result: Sendable>(
        _ url: PostgresURL, maximumConnections: Int = 2, logger: Logger,
        _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        do {
            let result = try await body(client)
            running.cancel()
            await running.value
            return result
        } catch {
            running.cancel()
            await running.value
            throw error
        }
    }
}
