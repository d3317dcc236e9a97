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

extension PostgresDatabase {
    /// Runs `body` with a new, empty database on the server `admin` names (created with
    /// `CREATE DATABASE`, which needs that privilege), dropped afterwards even when `body` throws:
    /// fresh state for each benchmark run or test without a server of its own.
    ///
    /// - Parameter prefix: the new database's name before a random suffix (lower case, digits, `_`).
    public static func withScratchDatabase<Result: Sendable>(
        on admin: PostgresURL, prefix: String, logger: Logger, _ body: (PostgresURL) async throws -> Result
    ) async throws -> Result {
        precondition(prefix.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
        let name = prefix + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // Identifiers cannot be bind parameters; the name is built from the checked prefix and hex.
        try await withRunningClient(admin, maximumConnections: 1, logger: logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var scratch = admin
        scratch.database = name
        func drop() async throws {
            try await withRunningClient(admin, maximumConnections: 1, logger: logger) { client in
                try await client.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
        }
        do {
            let result = try await body(scratch)
            try await drop()
            return result
        } catch {
            try? await drop()
            throw error
        }
    }
}

extension PostgresDatabase {
    /// The server's version and the settings that decide its write speed and durability, for
    /// the header of benchmark figures: "PostgreSQL at URL (server_version=15.x, fsync=on, …)".
    public static func describe(_ url: PostgresURL, logger: Logger) async throws -> String {
        try await withRunningClient(url, maximumConnections: 1, logger: logger) { client in
            var settings: [String] = []
            for name in ["server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections"] {
                // SHOW takes no bind parameters; the names are the fixed list above.
                let rows = try await client.query(PostgresQuery(unsafeSQL: "SHOW \(name)"), logger: logger)
                for try await value in rows.decode(String.self) { settings.append("\(name)=\(value)") }
            }
            return "PostgreSQL at \(url) (\(settings.joined(separator: ", ")))"
        }
    }
}
