import Foundation

/// The explicit bounds a submission must stay within. The defaults admit the largest honest sweep
/// (a 64-core machine, 10 nursery settings × 4 process counts × 3 workloads, hundreds of rounds)
/// with room to spare, and refuse anything that could only come from a broken or hostile client.
public struct SubmissionLimits: Sendable, Equatable {
    /// Largest accepted request body.
    public var maxBodyBytes = 8 << 20
    public var maxResults = 500
    public var maxSamplesPerResult = 5_000
    public var maxSamplesTotal = 100_000
    public var maxStringLength = 200
    public var maxCaches = 16
    /// Cache sizes: 1 KiB … 4 GiB (the largest stacked L3s are ~1 GiB).
    public var cacheBytes: ClosedRange<Int64> = 1 << 10...4 << 30
    public var cores: ClosedRange<Int> = 1...4_096
    /// Memory: 64 MiB … 64 TiB.
    public var memoryBytes: ClosedRange<Int64> = 64 << 20...64 << 40
    /// One sample's time: above zero, below one hour.
    public var timingMs: ClosedRange<Double> = 0.001...3_600_000
    /// Max RSS: 0 … 1 TiB.
    public var rssBytes: ClosedRange<Int64> = 0...1 << 40
    /// Nursery settings: 1 KiB … 16 GiB.
    public var nurseryBytes: ClosedRange<Int64> = 1 << 10...16 << 30
    public var procs: ClosedRange<Int> = 1...4_096
    public var rounds: ClosedRange<Int> = 0...100_000
    /// How far a submission's `created_at` may lie in the future of the server's clock (clock skew).
    public var maxFutureSkew: TimeInterval = 24 * 3600

    public init() {}

    /// The defaults.
    public static let standard = SubmissionLimits()
}
