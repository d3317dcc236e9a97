import Foundation

/// A machine-curve summary computed before the write transaction, with the fingerprint of the
/// stored curves it was computed from. The writer uses it only when the fingerprint still holds
/// (no curve of that key was written or deleted in between); otherwise it summarizes again, so
/// the stored summary is always that of the curves committed with it.
struct Presummary: Sendable {
    /// The stored curves of the key when they were read (before this submission's).
    var fingerprint: CurveFingerprint
    /// The summary of those curves plus this submission's.
    var summary: MachineCurveSummary
}

/// Identifies the set of stored curves of one machine key: their count, the largest and the sum
/// of their row ids. Rows only get ids above the largest at insert time, so any insert or
/// delete between two reads changes at least one of the three.
struct CurveFingerprint: Sendable, Equatable {
    var count: Int64
    var maximumID: Int64
    var idSum: Int64
}
