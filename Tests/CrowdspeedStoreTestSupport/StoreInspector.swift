import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation
import GRDB
import PostgresNIO

/// What a contract test reads beside the store's protocols: row counts, the dashboard counters as
/// stored and as the tables give them, and a machine's curve windows. Each backend answers with
/// its own SQL on its own connection (for SQLite a read-only connection to the store's file), so
/// the checks see what is committed, not what the store believes.
public protocol StoreInspector: Sendable {
    /// Rows in `table` (a fixed table name of the schema).
    func count(_ table: String) async throws -> Int
    /// The `dashboard_counters` row, nil when there is none.
    func storedCounters() async throws -> DashboardCounts?
    /// The same counts computed from the tables (visible submissions only).
    func recountedCounters() async throws -> DashboardCounts
    /// The curve windows of `machineID`, ordered by key.
    func windows(machineID: String) async throws -> [InspectedWindow]
    /// `fit_state.submissions` of `scope` (`real`, `synthetic`): curves ingested since the start.
    func fitSubmissions(scope: String) async throws -> Int
}

/// One `curve_windows` row, as far as the contract tests compare it.
public struct InspectedWindow: Sendable, Equatable {
    public var benchmark: String
    public var procs: Int
    public var submissionCount: Int
    public var revision: Int64
    public var updatedAt: Date
    /// The packed columns, byte for byte (both backends store ``CurveBlob`` bytes).
    public var nurseries: Data
    public var roundIDs: Data
    public var roundRatios: Data

    public init(
        benchmark: String, procs: Int, submissionCount: Int, revision: Int64, updatedAt: Date, nurseries: Data,
        roundIDs: Data, roundRatios: Data
    ) {
        self.benchmark = benchmark
        self.procs = procs
        self.submissionCount = submissionCount
        self.revision = revision
        self.updatedAt = updatedAt
        self.nurseries = nurseries
        self.roundIDs = roundIDs
        self.roundRatios = roundRatios
    }
}

/// The counts over the tables, in SQL both backends accept (`quarantined` is 0/1 in SQLite and a
/// boolean in PostgreSQL; `coalesce(…, FALSE)` and `NOT` read both; PostgreSQL's `sum` of
/// bigints is a numeric, hence the cast).
private let recountSQL = """
    SELECT count(DISTINCT s.machine_id) AS machines, count(*) AS submissions,
        CAST(coalesce(sum(s.sample_count), 0) AS BIGINT) AS samples, count(DISTINCT s.interpreter_id) AS interpreters,
        max(s.received_at) AS last_received_at
    FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
    WHERE NOT (s.quarantined OR m.quarantined OR coalesce(n.quarantined, FALSE))
    """

private let windowsSQL = """
    SELECT benchmark, procs, submission_count, revision, updated_at, nurseries, round_ids, round_ratios
    FROM curve_windows WHERE machine_id = %@
    ORDER BY implementation, interpreter_version, benchmark, benchmark_version, pypy_gc_min_pinned, procs
    """

/// Reads a SQLite store's file on a read-only connection of its own.
struct SQLiteInspector: StoreInspector {
    let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func count(_ table: String) async throws -> Int {
        try await queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    func storedCounters() async throws -> DashboardCounts? {
        try await queue.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM dashboard_counters WHERE id = 1").map(Self.counts)
        }
    }

    func recountedCounters() async throws -> DashboardCounts {
        try await queue.read { db in
            Self.counts(try Row.fetchOne(db, sql: recountSQL.replacingOccurrences(of: "FALSE", with: "0"))!)
        }
    }

    func windows(machineID: String) async throws -> [InspectedWindow] {
        try await queue.read { db in
            try Row.fetchAll(db, sql: windowsSQL.replacingOccurrences(of: "%@", with: "?"), arguments: [machineID])
                .map { row in
                    InspectedWindow(
                        benchmark: row["benchmark"], procs: row["procs"], submissionCount: row["submission_count"],
                        revision: row["revision"], updatedAt: StoreTime.date(milliseconds: row["updated_at"]),
                        nurseries: row["nurseries"], roundIDs: row["round_ids"], roundRatios: row["round_ratios"])
                }
        }
    }

    func fitSubmissions(scope: String) async throws -> Int {
        try await queue.read { db in
            try Int.fetchOne(db, sql: "SELECT submissions FROM fit_state WHERE scope = ?", arguments: [scope]) ?? -1
        }
    }

    private static func counts(_ row: Row) -> DashboardCounts {
        DashboardCounts(
            machines: row["machines"], submissions: row["submissions"], samples: row["samples"],
            interpreters: row["interpreters"],
            lastReceivedAt: (row["last_received_at"] as Int64?).map(StoreTime.date(milliseconds:)))
    }
}

/// Reads a PostgreSQL store's database through its client.
public struct PostgresInspector: StoreInspector {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    private func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: TestPostgres.logger).collect().map { $0.makeRandomAccess() }
    }

    public func count(_ table: String) async throws -> Int {
        try await rows(PostgresQuery(unsafeSQL: "SELECT count(*) AS n FROM \(table)"))[0]["n"].decode(Int.self)
    }

    public func storedCounters() async throws -> DashboardCounts? {
        try await rows("SELECT * FROM dashboard_counters WHERE id = 1").first.map(Self.counts)
    }

    public func recountedCounters() async throws -> DashboardCounts {
        try Self.counts(try await rows(PostgresQuery(unsafeSQL: recountSQL))[0])
    }

    public func windows(machineID: String) async throws -> [InspectedWindow] {
        var binds = PostgresBindings()
        binds.append(machineID)
        return try await rows(
            PostgresQuery(unsafeSQL: windowsSQL.replacingOccurrences(of: "%@", with: "$1"), binds: binds)
        ).map { row in
            func data(_ column: String) throws -> Data {
                Data(try row[column].decode(ByteBuffer.self).readableBytesView)
            }
            return InspectedWindow(
                benchmark: try row["benchmark"].decode(String.self), procs: try row["procs"].decode(Int.self),
                submissionCount: try row["submission_count"].decode(Int.self),
                revision: try row["revision"].decode(Int64.self),
                updatedAt: StoreTime.date(milliseconds: try row["updated_at"].decode(Int64.self)),
                nurseries: try data("nurseries"), roundIDs: try data("round_ids"), roundRatios: try data("round_ratios")
            )
        }
    }

    public func fitSubmissions(scope: String) async throws -> Int {
        try await rows("SELECT submissions FROM fit_state WHERE scope = \(scope)")[0]["submissions"].decode(Int.self)
    }

    private static func counts(_ row: PostgresRandomAccessRow) throws -> DashboardCounts {
        DashboardCounts(
            machines: try row["machines"].decode(Int.self), submissions: try row["submissions"].decode(Int.self),
            samples: try row["samples"].decode(Int.self), interpreters: try row["interpreters"].decode(Int.self),
            lastReceivedAt: try row["last_received_at"].decode(Int64?.self).map(StoreTime.date(milliseconds:)))
    }
}
