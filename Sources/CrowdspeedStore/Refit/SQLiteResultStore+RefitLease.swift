import Foundation
import GRDB

extension SQLiteResultStore: RefitLeaseStore {
    /// Takes the refit lease (``RefitLeaseStore/acquireRefitLease(holder:duration:now:)``).
    public func acquireRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool {
        let expiresAt = RefitLeaseSQL.expiry(now: now, duration: duration)
        return try await writer.write { db in
            try String.fetchOne(
                db, sql: RefitLeaseSQL.acquire, arguments: [holder, expiresAt, StoreTime.milliseconds(now)]) != nil
        }
    }

    /// Extends the refit lease (``RefitLeaseStore/renewRefitLease(holder:duration:now:)``).
    public func renewRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool {
        let expiresAt = RefitLeaseSQL.expiry(now: now, duration: duration)
        return try await writer.write { db in
            try String.fetchOne(db, sql: RefitLeaseSQL.renew, arguments: [expiresAt, holder]) != nil
        }
    }

    /// Gives the refit lease up (``RefitLeaseStore/releaseRefitLease(holder:)``).
    public func releaseRefitLease(holder: String) async throws {
        try await writer.write { db in try db.execute(sql: RefitLeaseSQL.release, arguments: [holder]) }
    }
}
