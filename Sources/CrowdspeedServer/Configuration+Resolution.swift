import CrowdspeedStorePostgres
import Foundation
import Logging

extension Configuration {
    /// What the operator gave on the command line; nil means "not given".
    public struct Options: Sendable, Equatable {
        public var databasePath: String?
        /// `--database-url`: `sqlite:PATH` or `postgres://…`; never together with `--db`.
        public var databaseURL: String?
        public var host: String?
        public var port: Int?
        public var logLevel: String?
        public var durable: Bool
        public var chartJSPath: String?
        public var publicURL: String?
        public var demo: Bool
        /// The trust options (rate limits, proxy, admin token), resolved in `Configuration+Trust.swift`.
        public var trust = TrustOptions()
        /// `--refit-interval`: time between background refit checks (`300s`, `5m`, …).
        public var refitInterval: String?
        /// `--refit-after`: new submissions that make a refit due.
        public var refitAfter: String?
        /// `--formula-refresh`: how often the newest formula version is asked again.
        public var formulaRefresh: String?
        /// `--metrics on|off`.
        public var metrics: String?
        /// `--metrics-address HOST:PORT`: serve `/metrics` on a second listener only.
        public var metricsAddress: String?
        /// `--agent-builds`: the directory of agent builds to serve.
        public var agentBuilds: String?
        /// `--snapshot-every`: time between public snapshots, or `off`.
        public var snapshotEvery: String?
        /// `--snapshot-dir`: where the snapshot is kept.
        public var snapshotDirectory: String?

        /// Creates options; everything defaults to "not given".
        public init(
            databasePath: String? = nil, host: String? = nil, port: Int? = nil, logLevel: String? = nil,
            durable: Bool = false,
            chartJSPath: String? = nil, publicURL: String? = nil, demo: Bool = false
        ) {
            self.databasePath = databasePath
            self.host = host
            self.port = port
            self.logLevel = logLevel
            self.durable = durable
            self.chartJSPath = chartJSPath
            self.publicURL = publicURL
            self.demo = demo
        }
    }

    /// The environment variables `crowdspeed serve` reads, one per option.
    public enum EnvironmentKey {
        public static let databasePath = DatabaseLocation.pathVariable
        public static let databaseURL = DatabaseLocation.urlVariable
        public static let host = "CROWDSPEED_HOST"
        public static let port = "CROWDSPEED_PORT"
        public static let logLevel = "CROWDSPEED_LOG_LEVEL"
        public static let durable = "CROWDSPEED_DURABLE"
        public static let chartJSPath = "CROWDSPEED_CHARTJS"
        public static let publicURL = "CROWDSPEED_PUBLIC_URL"
        public static let agentBuilds = "CROWDSPEED_AGENT_BUILDS"
    }

    /// Resolves the server configuration: a command-line option wins over its environment
    /// variable, which wins over the default. Lives here rather than in `@main` so the
    /// precedence and the refusals are tested; `@main` passes the process environment in.
    ///
    /// - Throws: ``ConfigurationError`` naming the option and its variable when a value is unusable.
    public static func resolve(_ options: Options, environment: [String: String]) throws(ConfigurationError)
        -> Configuration
    {
        var configuration = Configuration()
        if options.demo {
            // The demo never touches the real database: CROWDSPEED_DB and CROWDSPEED_DATABASE_URL
            // are ignored, and only an explicit --db (for tests and side-by-side demos) moves it.
            guard options.databaseURL == nil else {
                throw ConfigurationError("--demo runs on a SQLite file of its own; it does not take --database-url")
            }
            configuration.demo = true
            configuration.database = .sqlite(path: Configuration.defaultDemoDatabasePath)
            if let path = options.databasePath {
                guard !path.isEmpty else { throw ConfigurationError("--db must not be empty") }
                guard path != environment[EnvironmentKey.databasePath], path != DatabaseLocation.defaultPath else {
                    throw ConfigurationError("--demo must not run on the real database \(path); choose another --db")
                }
                configuration.database = .sqlite(path: path)
            }
        } else {
            do {
                configuration.database = try DatabaseLocation.resolve(
                    databaseURL: options.databaseURL, databasePath: options.databasePath, environment: environment)
            } catch {
                throw ConfigurationError(error.description)
            }
        }
        if let host = options.host ?? environment[EnvironmentKey.host] {
            guard !host.isEmpty else { throw ConfigurationError("--host (\(EnvironmentKey.host)) must not be empty") }
            configuration.host = host
        }
        if let port = options.port {
            configuration.port = port
        } else if let text = environment[EnvironmentKey.port] {
            guard let port = Int(text) else {
                throw ConfigurationError("\(EnvironmentKey.port) '\(text)' is not a port number")
            }
            configuration.port = port
        }
        guard (0...65_535).contains(configuration.port) else {
            throw ConfigurationError(
                "--port (\(EnvironmentKey.port)) must be within 0…65535, not \(configuration.port)")
        }
        if let text = options.logLevel ?? environment[EnvironmentKey.logLevel] {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError(
                    "--log-level (\(EnvironmentKey.logLevel)) '\(text)' is not one of trace, debug, info, notice, warning, error, critical"
                )
            }
            configuration.logLevel = level
        }
        if let path = options.chartJSPath ?? environment[EnvironmentKey.chartJSPath] {
            guard !path.isEmpty else {
                throw ConfigurationError("--chartjs (\(EnvironmentKey.chartJSPath)) must not be empty")
            }
            configuration.chartJSPath = path
        }
        if let text = options.publicURL ?? environment[EnvironmentKey.publicURL] {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                url.host != nil, url.query == nil, url.fragment == nil
            else {
                throw ConfigurationError(
                    "--public-url (\(EnvironmentKey.publicURL)) '\(text)' is not an http:// or https:// URL")
            }
            // Stored without a trailing slash so paths append cleanly.
            configuration.publicURL = text.hasSuffix("/") ? String(text.dropLast()) : text
        }
        if let path = options.agentBuilds ?? environment[EnvironmentKey.agentBuilds] {
            var isDirectory: ObjCBool = false
            guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                throw ConfigurationError(
                    "--agent-builds (\(EnvironmentKey.agentBuilds)) '\(path)' is not a directory (scripts/build-agent writes one)"
                )
            }
            configuration.agentBuildsPath = path
        }
        let durable = environment[EnvironmentKey.durable]?.lowercased()
        configuration.durable = options.durable || durable == "1" || durable == "true" || durable == "yes"
        try resolveTrust(options.trust, environment: environment, into: &configuration)
        try resolveRefit(
            interval: options.refitInterval, after: options.refitAfter, formulaRefresh: options.formulaRefresh,
            environment: environment, into: &configuration)
        try resolveMetrics(
            enabled: options.metrics, address: options.metricsAddress, environment: environment, into: &configuration)
        try resolveSnapshot(
            every: options.snapshotEvery, directory: options.snapshotDirectory, environment: environment,
            into: &configuration)
        return configuration
    }
}

/// An unusable configuration value, with a message naming the option and its variable.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    /// Creates the error with its message.
    public init(_ description: String) {
        self.description = description
    }
}
