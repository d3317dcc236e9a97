import CrowdspeedCore
import CrowdspeedStorePostgres
import Foundation
import Logging

/// Everything the server needs to start, parsed once by the `crowdspeed serve` command from its
/// options and environment. Nothing below `@main` reads the environment: tests build this struct
/// directly, so what a test runs is exactly what an operator configures.
public struct Configuration: Sendable, Equatable {
    /// The address to bind. The default keeps a fresh server off the network until an operator
    /// decides otherwise.
    public var host: String
    /// The TCP port; 0 asks the system for a free one (tests use it to avoid collisions).
    public var port: Int
    /// The database: a SQLite file (created with its migrations when missing) or a PostgreSQL
    /// database that several server instances may share.
    public var database: DatabaseLocation
    /// Bounds on what a submission may hold, including the largest accepted request body.
    public var limits: SubmissionLimits
    /// The lowest level of log message written.
    public var logLevel: Logger.Level
    /// When true, every acknowledged submission also survives a power loss or an OS crash
    /// (SQLite `synchronous=FULL`), at the cost of an fsync per ingest; otherwise it survives a
    /// crash of the process only.
    public var durable: Bool
    /// How long an idle keep-alive connection stays open; bounds what a slow client can hold.
    public var idleTimeoutSeconds: Int
    /// Chart.js (the UMD build) served at `/vendor/chart.js`; never copied into the repository.
    /// When the file is missing the pages still show every number as a table and say so.
    public var chartJSPath: String
    /// The URL agents should submit to, shown on the Submit page; nil means "from the request's
    /// Host header", right for a server reached directly and wrong behind some proxies.
    public var publicURL: String?
    /// Demo mode: a separate database filled with simulated machines, and every page labelled
    /// as synthetic data.
    public var demo: Bool
    /// Write requests allowed per client address; nil disables the limit. (Trust settings are
    /// resolved in `Configuration+Trust.swift`.)
    public var addressRateLimit: RateLimit? = .defaultPerAddress
    /// Write requests allowed per install token; nil disables the limit.
    public var installRateLimit: RateLimit? = .defaultPerInstall
    /// Key the address limit on the last `X-Forwarded-For` entry (only behind one trusted proxy).
    public var trustForwardedFor = false
    /// The file holding the secret key that names submissions' network origins
    /// (`NetworkOriginKey`), created on the first start; nil keeps it beside the database.
    public var originKeyFile: String?
    /// SHA-256 (64 lowercase hex digits) of the admin token; nil disables the admin API.
    public var adminTokenHash: String?
    /// When the background refit checks for new data and how much makes a refit due.
    public var refit = RefitService.Settings()
    /// How long a server serves the newest formula version it knows before asking the database
    /// again: a formula fitted by another server sharing the database is served within it.
    public var formulaRefreshInterval: Duration = .seconds(2)
    /// Where `/metrics` is served, or whether metrics are off (`Configuration+Metrics.swift`).
    public var metrics = MetricsEndpoint.main

    /// The directory of agent builds (`scripts/build-agent`) served at `/downloads/agent/` and
    /// offered by `/install.sh`; nil offers none (install.sh then prints the from-source steps).
    public var agentBuildsPath: String?
    /// The scheduled public snapshot at `/data/crowdspeed-snapshot.sqlite`; nil publishes none
    /// (`Configuration+Snapshot.swift`).
    public var snapshot: SnapshotSchedule?

    /// Where `scripts/build-agent` writes, served when present and nothing else is configured.
    public static let defaultAgentBuildsPath = "./artifacts/agents"

    /// ``defaultAgentBuildsPath`` when that directory exists (checked when a configuration is
    /// created, as ``defaultChartJSPath`` is), else nil.
    public static var presentDefaultAgentBuildsPath: String? {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: defaultAgentBuildsPath, isDirectory: &isDirectory)
            && isDirectory.boolValue ? defaultAgentBuildsPath : nil
    }

    /// Where the origin key is kept: ``originKeyFile``, else the database path with `.origin-key`
    /// appended (so a backup of the directory keeps origins comparable after a restore). On
    /// PostgreSQL, `./crowdspeed.origin-key` unless set: every instance must be given the same
    /// key file, or one network block counts as several.
    public var originKeyPath: String { originKeyFile ?? (databasePath ?? "./crowdspeed") + ".origin-key" }

    /// Creates a configuration; every parameter has the documented default of `crowdspeed serve`.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        databasePath: String = "./crowdspeed.sqlite",
        limits: SubmissionLimits = .standard,
        logLevel: Logger.Level = .info,
        durable: Bool = false,
        idleTimeoutSeconds: Int = 60,
        chartJSPath: String = Configuration.defaultChartJSPath,
        publicURL: String? = nil,
        demo: Bool = false
    ) {
        self.host = host
        self.port = port
        self.database = .sqlite(path: databasePath)
        self.limits = limits
        self.logLevel = logLevel
        self.durable = durable
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.chartJSPath = chartJSPath
        self.publicURL = publicURL
        self.demo = demo
        self.agentBuildsPath = Configuration.presentDefaultAgentBuildsPath
    }

    /// Debian's `libjs-chart.js`: `chart.umd.js` from Chart.js 4, `chart.min.js` in the 3.x
    /// package of Debian 12. The first that exists wins, so an upgrade keeps working.
    public static var defaultChartJSPath: String {
        let candidates = ["/usr/share/javascript/chart.js/chart.umd.js", "/usr/share/javascript/chart.js/chart.min.js"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[1]
    }

    /// The SQLite file in use, nil on PostgreSQL.
    public var databasePath: String? { database.sqlitePath }

    /// The database `--demo` uses unless `--db` is given: never the real one.
    public static let defaultDemoDatabasePath = "./crowdspeed-demo.sqlite"
}
