import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore: RefitLeaseStore {
    /// Takes the refit lease (``RefitLeaseStore/acquireRefitLease(holder:duration:now:)``): one
    /// `INSERT … ON CONFLICT DO UPDATE … WHERE` statement inserts the lease or takes over an
    /// expired one (or the holder's own), atomically against every other server's.
    public func acquireRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(holder)
        binds.append(RefitLeaseSQL.expiry(now: now, duration: duration))
        binds.append(StoreTime.milliseconds(now))
        return try await returnsRow(PostgresQuery(unsafeSQL: RefitLeaseSQL.acquire, binds: binds))
    }

    /// Extends the refit lease (``RefitLeaseStore/renewRefitLease(holder:duration:now:)``).
    public func renewRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(RefitLeaseSQL.expiry(now: now, duration: duration))
        binds.append(holder)
        return try await returnsRow(PostgresQuery(unsafeSQL: RefitLeaseSQL.renew, binds: binds))
    }

    /// Gives the refit lease up (``RefitLeaseStore/releaseRefitLease(holder:)``).
    public func releaseRefitLease(holder: String) async throws {
        var binds = PostgresBindings()
        binds.append(holder)
        try await client.query(PostgresQuery(unsafeSQL: RefitLeaseSQL.release, binds: binds), logger: logger)
    }

    /// Whether `query` returned at least one row.
    private func returnsRow(_ query: PostgresQuery) async throws -> Bool {
        try await !client.query(query, logger: logger).collect().isEmpty
    }
}
