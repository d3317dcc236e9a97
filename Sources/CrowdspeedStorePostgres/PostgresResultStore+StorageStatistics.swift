import CrowdspeedStore
import PostgresNIO

extension PostgresResultStore: StorageStatisticsStore {
    /// The size of the whole database (tables, indexes, TOAST, free space PostgreSQL keeps) as
    /// `pg_database_size` reports it, under `database`. The write-ahead log belongs to the server
    /// cluster, shared with other databases, so unlike SQLite's it is not reported here.
    public func storageBytes() async throws -> [String: Int64] {
        let bytes = try await rows("SELECT pg_database_size(current_database())").map { try $0[0].decode(Int64.self) }
        return ["database": bytes.first ?? 0]
    }
}
