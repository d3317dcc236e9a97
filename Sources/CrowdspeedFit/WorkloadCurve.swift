import Foundation

/// One curve of a submission with what it is filed under: the workload, its version and the
/// process count. This is the form a store keeps (the ``Curve``'s paired ratios, not its
/// medians, which are recomputed on reading).
public struct WorkloadCurve: Sendable, Equatable {
    /// `gcbench`.
    public var benchmark: String
    public var benchmarkVersion: String
    /// Concurrent processes (results without `procs` count as 1).
    public var procs: Int
    public var curve: Curve

    /// Creates a workload curve.
    public init(benchmark: String, benchmarkVersion: String, procs: Int, curve: Curve) {
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.procs = procs
        self.curve = curve
    }
}
