import Foundation
import GRDB

extension SQLiteResultStore: StorageStatisticsStore {
    /// The sizes of the database file and its write-ahead log as the file system reports them
    /// (a missing WAL, after a clean close or in an in-memory test database, counts as 0).
    public func storageBytes() async throws -> [String: Int64] {
        let path = writer.path
        func size(_ file: String) -> Int64 {
            let attributes = try? FileManager.default.attributesOfItem(atPath: file)
            return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return ["main": size(path), "wal": size(path + "-wal")]
    }
}
