import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Runs `body` in one REPEATABLE READ, READ ONLY transaction: every query it makes sees the
    /// same snapshot, as a GRDB read does on SQLite, whatever other instances commit meanwhile.
    func withReadSnapshot<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws
        -> Result
    {
        try await client.withConnection { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                // The connection goes back to the pool: it must not stay inside the failed transaction.
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    /// Every row of `query`, mapped inside the read (rows are not Sendable).
    static func rows<Value>(
        _ query: PostgresQuery, on connection: PostgresConnection, logger: Logger,
        _ map: (PostgresRandomAccessRow) throws -> Value
    ) async throws -> [Value] {
        var values: [Value] = []
        for try await row in try await connection.query(query, logger: logger) {
            values.append(try map(row.makeRandomAccess()))
        }
        return values
    }

    /// Every row of `query` run on the pool, mapped as they arrive.
    func rows<Value>(_ query: PostgresQuery, _ map: (PostgresRandomAccessRow) throws -> Value) async throws -> [Value] {
        var values: [Value] = []
        for try await row in try await client.query(query, logger: logger) {
            values.append(try map(row.makeRandomAccess()))
        }
        return values
    }

    /// A stored submission id.
    static func storedUUID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw StoreCorruption("bad submission id \(text)") }
        return id
    }

    /// A stored submission source.
    static func storedSource(_ text: String) throws -> SubmissionSource {
        guard let source = SubmissionSource(rawValue: text) else { throw StoreCorruption("unknown source \(text)") }
        return source
    }

    /// Nil for NaN and infinities, which the SQLite backend stores as NULL: both keep the same values.
    static func finiteOrNil(_ value: Double?) -> Double? {
        value.flatMap { $0.isFinite ? $0 : nil }
    }
}

extension PostgresRandomAccessRow {
    /// The value of column `name` (nil-able when `Value` is an Optional).
    func decoded<Value: PostgresDecodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
        try self[name].decode(Value.self)
    }
}
