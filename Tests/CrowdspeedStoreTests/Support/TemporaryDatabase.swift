import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB

/// A fresh directory under the system temporary directory, removed when the test's body ends.
/// Database files live in it so each test starts empty and leaves nothing behind.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("crowdspeed-store-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A store on a fresh database file, for tests that need only one.
func withTemporaryStore<T>(
    configuration: SQLiteResultStore.Configuration = .init(), _ body: (SQLiteResultStore) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { directory in
        let store = try SQLiteResultStore(
            path: directory.appendingPathComponent("test.sqlite").path, configuration: configuration)
        return try await body(store)
    }
}

extension SQLiteResultStore {
    /// Row counts of every data table, to show that something was, or was not, written.
    func tableCounts() async throws -> [String: Int] {
        try await writer.read { db in
            var counts: [String: Int] = [:]
            for table in ["machines", "interpreters", "submissions", "results"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1
            }
            return counts
        }
    }
}
