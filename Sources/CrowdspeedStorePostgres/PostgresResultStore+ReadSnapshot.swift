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
}

extension PostgresRandomAccessRow {
    /// The value of column `name` (nil-able when `Value` is an Optional).
    func decoded<Value: PostgresDecodable>(_ name: String, as type: Value.Type = Value.self) throws -> Value {
        try self[name].decode(Value.self)
    }
}
