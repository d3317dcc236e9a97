import ArgumentParser
import CrowdspeedCore
import CrowdspeedServer
import Foundation
import Hummingbird
import Logging

/// `crowdspeed serve`: opens (creating and migrating) the database and runs the HTTP server until
/// SIGTERM or SIGINT, then shuts down gracefully.
///
/// Each option has an environment equivalent for service managers and containers; an option on
/// the command line wins over the environment, which wins over the default. This is the only
/// place the environment is read.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the ingestion and API server.",
        discussion: """
            Environment equivalents: CROWDSPEED_DB, CROWDSPEED_HOST, CROWDSPEED_PORT, CROWDSPEED_LOG_LEVEL, \
            CROWDSPEED_DURABLE (1/true). Options given on the command line take precedence.
            """)

    @Option(name: .customLong("db"), help: ArgumentHelp("SQLite database file, created if missing (default ./crowdspeed.sqlite).", valueName: "path"))
    var databasePath: String?

    @Option(help: ArgumentHelp("Address to bind (default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("TCP port to listen on, 0 for any free port (default 8080).", valueName: "port"))
    var port: Int?

    @Option(help: ArgumentHelp("Lowest log level written: trace, debug, info, notice, warning, error, critical (default info).", valueName: "level"))
    var logLevel: String?

    @Flag(help: "fsync every acknowledged submission so it also survives power loss (slower ingestion).")
    var durable = false

    /// Refuses impossible option values before anything is opened.
    func validate() throws {
        _ = try resolve(environment: ProcessInfo.processInfo.environment)
    }

    /// Builds the server's configuration from options, then environment, then defaults.
    ///
    /// - Throws: `ValidationError` naming the option (or variable) with a bad value.
    func resolve(environment: [String: String]) throws -> CrowdspeedServer.Configuration {
        var configuration = CrowdspeedServer.Configuration()
        if let path = databasePath ?? environment["CROWDSPEED_DB"] {
            guard !path.isEmpty else { throw ValidationError("--db (CROWDSPEED_DB) must not be empty") }
            configuration.databasePath = path
        }
        if let host = host ?? environment["CROWDSPEED_HOST"] {
            guard !host.isEmpty else { throw ValidationError("--host (CROWDSPEED_HOST) must not be empty") }
            configuration.host = host
        }
        if let port {
            configuration.port = port
        } else if let text = environment["CROWDSPEED_PORT"] {
            guard let port = Int(text) else { throw ValidationError("CROWDSPEED_PORT '\(text)' is not a port number") }
            configuration.port = port
        }
        guard (0...65_535).contains(configuration.port) else {
            throw ValidationError("--port (CROWDSPEED_PORT) must be within 0…65535, not \(configuration.port)")
        }
        if let text = logLevel ?? environment["CROWDSPEED_LOG_LEVEL"] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ValidationError("--log-level (CROWDSPEED_LOG_LEVEL) '\(text)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = level
        }
        let durableVariable = environment["CROWDSPEED_DURABLE"]?.lowercased()
        configuration.durable = durable || durableVariable == "1" || durableVariable == "true" || durableVariable == "yes"
        return configuration
    }

    /// Builds and runs the application until a shutdown signal arrives.
    func run() async throws {
        let configuration = try resolve(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        let app = try await buildApplication(configuration: configuration)
        try await app.runService()
        // runService returns once a signal has drained the requests in flight.
        Logger(label: "crowdspeed").info("stopped")
    }
}
