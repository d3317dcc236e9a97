import Foundation

/// How the store writes times (and how the server spells a time in cache keys): INTEGER milliseconds since the Unix epoch, UTC, in every table.
///
/// Integers sort and compare in SQL (the machines list orders by `last_seen`) and port to
/// PostgreSQL unchanged. The conversion goes through the reference date (2001) rather than 1970
/// because `Date` keeps its value relative to 2001: built that way, the date read back is
/// bit-identical to the one `RFC3339.parse` makes from the same millisecond text, so a submission
/// decoded from the wire compares `==` after a round trip through the database. Sub-millisecond
/// parts (which the wire cannot carry) are rounded away.
public enum StoreTime {
    /// Milliseconds between 1970-01-01 and 2001-01-01.
    private static let referenceOffsetMs: Int64 = 978_307_200_000

    /// The stored form of `date`.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSinceReferenceDate * 1000).rounded()) + referenceOffsetMs
    }

    /// The date a stored value stands for.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSinceReferenceDate: Double(milliseconds - referenceOffsetMs) / 1000)
    }
}
