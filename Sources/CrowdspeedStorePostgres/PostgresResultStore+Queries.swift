import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Runs `body` in one transaction on a pooled connection: `BEGIN`, then `COMMIT` when it
    /// returns (so a value returned here is committed) or `ROLLBACK` when it throws.
    ///
    /// - Throws: what `body` threw, or the error of `BEGIN` or `COMMIT`, not PostgresNIO's
    ///   wrapper, so callers match on the store's own errors.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    /// Runs a write in ``transaction(_:)`` and runs it again, from the start, when it lost a race
    /// with another transaction (``isLostRace(_:)``): each loss means the other committed, so the
    /// next attempt sees it. A race between servers thus never reaches a client as an error.
    func writeTransaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws
        -> Result
    {
        var attempt = 1
        while true {
            do {
                return try await transaction(body)
            } catch let error where attempt < Self.writeAttempts && Self.isLostRace(error) {
                attempt += 1
            }
        }
    }

    /// How often a write runs when it keeps losing races.
    static let writeAttempts = 4

    /// Whether `error` means a concurrent transaction won: an ingest found its id stored
    /// meanwhile, a unique key was taken, or PostgreSQL ended a serialization failure or deadlock.
    static func isLostRace(_ error: any Error) -> Bool {
        if error is LostIngestRace { return true }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return ["40001", "40P01", "23505"].contains(state)
    }

    /// Runs `body`'s reads on one snapshot: a read-only repeatable-read transaction, so that a
    /// write committing between two of its statements is seen by neither or both (under the
    /// default read committed each statement would take a snapshot of its own).
    func snapshot<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await body(connection)
        }
    }

    /// The rows of `query`, each addressable by column name.
    static func rows(_ connection: PostgresConnection, _ query: PostgresQuery, logger: Logger) async throws
        -> [PostgresRandomAccessRow]
    {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The rows of `query` on any pooled connection, outside a transaction.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    // MARK: Quarantine in SQL

    /// Whether submission `s` is hidden: itself, its machine `m` or its install `n` (left-joined)
    /// is quarantined (`SQLiteResultStore.effectiveQuarantine` in PostgreSQL's booleans).
    static let effectiveQuarantine = "(s.quarantined OR m.quarantined OR coalesce(n.quarantined, FALSE))"

    // MARK: Value mapping

    /// A stored `bytea` as `Data`.
    static func data(_ cell: PostgresCell) throws -> Data {
        Data(try cell.decode(ByteBuffer.self).readableBytesView)
    }

    /// A stored `source`; the schema's CHECK admits only known values.
    static func source(_ cell: PostgresCell) throws -> SubmissionSource {
        let text = try cell.decode(String.self)
        guard let source = SubmissionSource(rawValue: text) else { throw StoreCorruption("unknown source \(text)") }
        return source
    }

    /// A stored submission id.
    static func uuid(_ cell: PostgresCell) throws -> UUID {
        let text = try cell.decode(String.self)
        guard let id = UUID(uuidString: text) else { throw StoreCorruption("bad submission id \(text)") }
        return id
    }

    /// A stored time in milliseconds.
    static func date(_ cell: PostgresCell) throws -> Date {
        StoreTime.date(milliseconds: try cell.decode(Int64.self))
    }
}
