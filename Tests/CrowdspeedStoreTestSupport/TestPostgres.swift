import CrowdspeedStorePostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// The live PostgreSQL the tests run against: the one `scripts/with-postgres` started (and
/// `scripts/test` always starts), named by `CROWDSPEED_TEST_POSTGRES_URL`.
///
/// Each test takes a database of its own (``withFreshDatabase(_:)``), created from the URL's
/// database and dropped afterwards, so tests run in parallel without seeing each other's tables.
/// The URL's user must be allowed to create databases (the harness's superuser is).
public enum TestPostgres {
    public static let urlVariable = "CROWDSPEED_TEST_POSTGRES_URL"

    /// Shown for every skipped Postgres-backed test.
    public static let skipReason: Comment = """
        no live PostgreSQL: CROWDSPEED_TEST_POSTGRES_URL is not set. \
        Run `scripts/with-postgres swift test` (scripts/test does) to include these tests.
        """

    public static let logger = Logger(label: "crowdspeed.tests.postgres")

    /// The clients' own background log, errors only: a client leased from in the instant before
    /// its `run()` task starts warns about it, which is harmless here and would drown the output.
    public static let backgroundLogger: Logger = {
        var logger = Logger(label: "crowdspeed.tests.postgres.client")
        logger.logLevel = .error
        return logger
    }()

    /// The URL text from the environment, nil when unset or empty.
    public static var urlText: String? {
        ProcessInfo.processInfo.environment[urlVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whether Postgres-backed tests run (an unparsable URL still runs them, so that they fail).
    public static var isAvailable: Bool { urlText != nil }

    /// Set by `scripts/with-postgres`: a missing server is then a failure, not a skip.
    public static var isRequired: Bool {
        ProcessInfo.processInfo.environment["CROWDSPEED_TEST_POSTGRES_REQUIRED"] == "1"
    }

    /// The parsed URL of the server's own test database.
    public static func url() throws -> PostgresURL {
        try PostgresURL(try #require(urlText, "\(urlVariable) is not set"))
    }

    /// Runs `body` with a running client for `url` (``PostgresDatabase/withRunningClient``, with
    /// four connections by default and the quiet ``backgroundLogger``).
    public static func withClient<Result: Sendable>(
        _ url: PostgresURL, maximumConnections: Int = 4, _ body: (PostgresClient) async throws -> Result
    ) async throws -> Result {
        try await PostgresDatabase.withRunningClient(
            url, maximumConnections: maximumConnections, logger: backgroundLogger, body)
    }

    /// Runs `body` with the URL of a new, empty database, dropped afterwards.
    public static func withFreshDatabase<Result: Sendable>(_ body: (PostgresURL) async throws -> Result) async throws
        -> Result
    {
        try await PostgresDatabase.withScratchDatabase(
            on: try url(), prefix: "crowdspeed_t_", logger: backgroundLogger, body)
    }
}
