import CrowdspeedStore
import Foundation
import Logging
import PostgresNIO
import CrowdspeedStoreTestSupport
import Testing

@testable import CrowdspeedStorePostgres

/// The refit lease's contract, the same for both backends: two servers (two stores, each with a
/// connection of its own) on one database. Times are stepped by hand.
enum RefitLeaseContract {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let minute: Duration = .seconds(60)

    /// One holder at a time; the holder renews and re-acquires; expiry and release hand over.
    static func handOver(_ a: any RefitLeaseStore, _ b: any RefitLeaseStore) async throws {
        #expect(try await a.acquireRefitLease(holder: "a", duration: minute, now: start))
        #expect(!(try await b.acquireRefitLease(holder: "b", duration: minute, now: start.addingTimeInterval(1))))
        #expect(!(try await b.renewRefitLease(holder: "b", duration: minute, now: start.addingTimeInterval(1))))
        // The holder extends it: at 59 s it is renewed to 119 s, so b still waits at 100 s.
        #expect(try await a.renewRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(59)))
        #expect(!(try await b.acquireRefitLease(holder: "b", duration: minute, now: start.addingTimeInterval(100))))
        #expect(try await a.acquireRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(100)))
        // a dies: from the expiry (160 s) on, b takes it over, and a has lost it.
        #expect(!(try await b.acquireRefitLease(holder: "b", duration: minute, now: start.addingTimeInterval(159))))
        #expect(try await b.acquireRefitLease(holder: "b", duration: minute, now: start.addingTimeInterval(160)))
        #expect(!(try await a.renewRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(161))))
        #expect(!(try await a.acquireRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(161))))
        // A release by someone else does nothing; the holder's own hands over at once.
        try await a.releaseRefitLease(holder: "a")
        #expect(!(try await a.acquireRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(162))))
        try await b.releaseRefitLease(holder: "b")
        #expect(try await a.acquireRefitLease(holder: "a", duration: minute, now: start.addingTimeInterval(163)))
    }

    /// Many servers asking at the same instant: exactly one gets the lease.
    static func race(_ stores: [any RefitLeaseStore]) async throws {
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (index, store) in stores.enumerated() {
                group.addTask {
                    try await store.acquireRefitLease(holder: "server-\(index)", duration: minute, now: start)
                }
            }
            var winners = 0
            for try await won in group where won { winners += 1 }
            return winners
        }
        #expect(winners == 1)
    }
}

@Suite("Refit lease on SQLite")
struct SQLiteRefitLeaseTests {
    private func withFile<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-lease-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.appendingPathComponent("db.sqlite").path)
    }

    @Test("two stores on one file: one holder at a time, renewal, expiry and release hand over")
    func handOver() async throws {
        try await withFile { path in
            try await RefitLeaseContract.handOver(try SQLiteResultStore(path: path), try SQLiteResultStore(path: path))
        }
    }

    @Test("eight stores on one file asking at once: exactly one holds the lease")
    func race() async throws {
        try await withFile { path in
            let first = try SQLiteResultStore(path: path)
            let others = try (1..<8).map { _ in try SQLiteResultStore(path: path) }
            try await RefitLeaseContract.race([first] + others)
        }
    }
}

@Suite(
    "Refit lease on PostgreSQL", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason),
    .timeLimit(.minutes(2)))
struct PostgresRefitLeaseTests {
    /// Runs `body` with `count` stores, each on a client of its own, on one migrated database.
    private func withStores(_ count: Int, _ body: @escaping ([PostgresResultStore]) async throws -> Void)
        async throws
    {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url) { client in
                _ = try await PostgresMigrationRunner().migrate(client, logger: TestPostgres.logger)
            }
            try await withClients(url, count: count, collected: [], body)
        }
    }

    private func withClients(
        _ url: PostgresURL, count: Int, collected: [PostgresResultStore],
        _ body: ([PostgresResultStore]) async throws -> Void
    ) async throws {
        guard collected.count < count else { return try await body(collected) }
        try await TestPostgres.withClient(url, maximumConnections: 1) { client in
            let store = PostgresResultStore(client: client, logger: TestPostgres.logger)
            try await withClients(url, count: count, collected: collected + [store], body)
        }
    }

    @Test("two servers on one database: one holder at a time, renewal, expiry and release hand over")
    func handOver() async throws {
        try await withStores(2) { stores in try await RefitLeaseContract.handOver(stores[0], stores[1]) }
    }

    @Test("eight servers asking at once: exactly one holds the lease")
    func race() async throws {
        try await withStores(8) { stores in try await RefitLeaseContract.race(stores) }
    }
}
