import ArgumentParser
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStorePostgres
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
            Environment equivalents: CROWDSPEED_DB, CROWDSPEED_DATABASE_URL, CROWDSPEED_HOST, CROWDSPEED_PORT, CROWDSPEED_LOG_LEVEL, \
            CROWDSPEED_DURABLE (1/true), CROWDSPEED_CHARTJS, CROWDSPEED_PUBLIC_URL, CROWDSPEED_REFIT_INTERVAL, \
            CROWDSPEED_REFIT_AFTER, CROWDSPEED_FORMULA_REFRESH, CROWDSPEED_METRICS, CROWDSPEED_METRICS_ADDRESS, CROWDSPEED_AGENT_BUILDS. Options given on the command line take precedence.
            """)

    /// `--db` (created if missing) or `--database-url`.
    @OptionGroup(title: "Database")
    var database: DatabaseOptions

    @Option(help: ArgumentHelp("Address to bind (default 127.0.0.1).", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("TCP port to listen on, 0 for any free port (default 8080).", valueName: "port"))
    var port: Int?

    @Option(
        help: ArgumentHelp(
            "Lowest log level written: trace, debug, info, notice, warning, error, critical (default info).",
            valueName: "level"))
    var logLevel: String?

    @Flag(help: "fsync every acknowledged submission so it also survives power loss (slower ingestion).")
    var durable = false

    @Option(
        name: .customLong("chartjs"),
        help: ArgumentHelp(
            "Chart.js UMD file served to the pages (default: Debian's libjs-chart.js).", valueName: "path"))
    var chartJSPath: String?

    @Option(
        help: ArgumentHelp(
            "The URL agents submit to, shown on the Submit page (default: from the request's Host).", valueName: "url"))
    var publicURL: String?

    @Flag(
        help:
            "Serve simulated machines from a separate demo database (./crowdspeed-demo.sqlite unless --db), every page labelled synthetic."
    )
    var demo = false

    @Option(
        help: ArgumentHelp(
            "Time between checks for a due refit: a number with ms, s, m, h or d, seconds when bare (default 300s).",
            valueName: "duration"))
    var refitInterval: String?

    @Option(
        help: ArgumentHelp(
            "New PyPy submissions that make a refit due at the next check (default 20).", valueName: "count"))
    var refitAfter: String?

    @Option(
        help: ArgumentHelp(
            "How often the newest formula version is read again, so a formula fitted by another server is served within it (default 2s; 0 reads it for every request).",
            valueName: "duration"))
    var formulaRefresh: String?

    @Option(
        help: ArgumentHelp(
            "Prometheus metrics at /metrics: on or off (default on; off records nothing and /metrics is 404).",
            valueName: "on|off"))
    var metrics: String?

    @Option(
        help: ArgumentHelp(
            "Serve /metrics only on a second listener at this address instead of beside the API.",
            valueName: "host:port"))
    var metricsAddress: String?

    @Option(
        help: ArgumentHelp(
            "Directory of agent builds (scripts/build-agent) served at /downloads/agent/ and by /install.sh (default: ./artifacts/agents when present).",
            valueName: "dir"))
    var agentBuilds: String?

    @Option(
        help: ArgumentHelp(
            "Publish an anonymised SQLite snapshot at /data/crowdspeed-snapshot.sqlite this often, e.g. 24h (default off).",
            valueName: "duration"))
    var snapshotEvery: String?

    @Option(
        help: ArgumentHelp(
            "Directory the published snapshot is kept in (default: the database's directory).", valueName: "dir"))
    var snapshotDir: String?

    @OptionGroup(title: "Trust")
    var trust: TrustOptions

    /// Refuses impossible option values before anything is opened.
    func validate() throws {
        _ = try resolve()
    }

    /// The server's configuration from these options and the process environment — the one
    /// place the environment is read.
    func resolve() throws -> CrowdspeedServer.Configuration {
        let options = CrowdspeedServer.Configuration.Options(
            databasePath: database.databasePath, host: host, port: port, logLevel: logLevel, durable: durable,
            chartJSPath: chartJSPath, publicURL: publicURL, demo: demo)
        var withTrust = options
        withTrust.trust = trust.resolved
        withTrust.refitInterval = refitInterval
        withTrust.refitAfter = refitAfter
        withTrust.formulaRefresh = formulaRefresh
        withTrust.databaseURL = database.databaseURL
        withTrust.metrics = metrics
        withTrust.metricsAddress = metricsAddress
        withTrust.agentBuilds = agentBuilds
        withTrust.snapshotEvery = snapshotEvery
        withTrust.snapshotDirectory = snapshotDir
        do {
            return try CrowdspeedServer.Configuration.resolve(
                withTrust, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Builds and runs the application until a shutdown signal arrives.
    func run() async throws {
        let configuration = try resolve()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = configuration.logLevel
            return handler
        }
        do {
            let app = try await buildApplication(configuration: configuration)
            try await app.runService()
        } catch let error as PostgresMigrationError {
            throw CommandFailure.exit(error.description)
        }
        // runService returns once a signal has drained the requests in flight.
        Logger(label: "crowdspeed").info("stopped")
    }
}
