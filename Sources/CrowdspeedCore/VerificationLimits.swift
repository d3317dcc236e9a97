import Foundation

/// The explicit bounds a verification must stay within: room for the longest honest `verify`
/// (1000 rounds, the agent's own limit), nothing a broken or hostile client could only send.
public struct VerificationLimits: Sendable, Equatable {
    /// Largest accepted request body (1000 round gains take about 25 KiB).
    public var maxBodyBytes = 64 << 10
    public var rounds: ClosedRange<Int> = 1...1_000
    /// A gain is T(default) / T(size) − 1: a size a hundred times faster or slower is not a
    /// measurement of a nursery setting.
    public var gain: ClosedRange<Double> = -0.99...99
    public var confidence: ClosedRange<Double> = 0.5...0.999
    public var failedSamples: ClosedRange<Int> = 0...1_000_000
    public var formulaVersion: ClosedRange<Int> = 1...1_000_000_000
    /// Sizes, process counts, string lengths and clock skew as for submissions.
    public var submission = SubmissionLimits.standard

    public init() {}

    /// The defaults.
    public static let standard = VerificationLimits()
}
