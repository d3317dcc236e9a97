import Foundation

/// One machine in the machines table: its hardware, how often it ran, and — once the fitting
/// aggregates know it — its best nursery at one process and the gain over the default there.
public struct MachineTableRow: Sendable, Equatable {
    public var summary: MachineSummary
    /// Best nursery at procs = 1 (newest interpreter measured); nil until estimated.
    public var bestNurseryBytes: Int64?
    /// T(default) / T(best) − 1 at procs = 1; nil until estimated.
    public var gainOverDefault: Double?

    public init(summary: MachineSummary, bestNurseryBytes: Int64? = nil, gainOverDefault: Double? = nil) {
        self.summary = summary
        self.bestNurseryBytes = bestNurseryBytes
        self.gainOverDefault = gainOverDefault
    }
}
