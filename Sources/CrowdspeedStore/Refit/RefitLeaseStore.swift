import Foundation

/// The lease that lets one server at a time run the background refit when several share a
/// database. A server takes it before a refit check, renews it while a fit runs and releases it
/// afterwards; a lease not renewed (its holder died) expires, and then any server may take it.
///
/// Times are the caller's clock (`now`), stored as ``StoreTime`` milliseconds, so tests step them;
/// servers sharing a database must keep their clocks within a small fraction of the duration.
public protocol RefitLeaseStore: Sendable {
    /// Takes the lease for `holder` until `now + duration` when nobody holds it, its lease has
    /// expired, or `holder` holds it already (then it is extended). One atomic statement, so two
    /// servers asking at once never both get it.
    /// - Returns: whether `holder` holds the lease now.
    func acquireRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool

    /// Extends the lease to `now + duration` if `holder` still holds it (even expired, as long as
    /// no other server took it over).
    /// - Returns: whether `holder` still holds the lease.
    func renewRefitLease(holder: String, duration: Duration, now: Date) async throws -> Bool

    /// Gives the lease up if `holder` holds it, so the next server need not wait for the expiry.
    func releaseRefitLease(holder: String) async throws
}

/// The SQL both backends run for the lease (`refit_lease`, migration 0009): the same statements
/// work on SQLite and PostgreSQL. Parameters are `$1`, `$2`, … and first appear in that order in
/// each statement: SQLite takes `$N` for a named parameter and numbers those by first appearance.
public enum RefitLeaseSQL {
    /// Parameters: holder, expires_at (ms), now (ms). Returns the holder's row when it got the
    /// lease, no row otherwise.
    public static let acquire = """
        INSERT INTO refit_lease (id, holder, expires_at) VALUES (1, $1, $2)
        ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE refit_lease.holder = excluded.holder OR refit_lease.expires_at <= $3
        RETURNING holder
        """

    /// Parameters: expires_at (ms), holder. Returns a row when the holder still held the lease.
    public static let renew = "UPDATE refit_lease SET expires_at = $1 WHERE id = 1 AND holder = $2 RETURNING holder"

    /// Parameters: holder.
    public static let release = "DELETE FROM refit_lease WHERE id = 1 AND holder = $1"

    /// `now + duration` as stored: milliseconds since the Unix epoch.
    public static func expiry(now: Date, duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return StoreTime.milliseconds(now) + seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
