import CrowdspeedCore

/// The timing summary of one result (a `result_summaries` row): its usable samples and their
/// median times. Computed before the write, so the writer only inserts it; public so that every
/// backend summarizes alike.
public struct ResultSummaryValues: Sendable {
    public var usableSamples: Int
    public var medianCPUMs: Double?
    public var medianWallMs: Double?

    public init(_ result: BenchmarkResult) {
        let usable = result.samples.filter { $0.failed != true && $0.cpuMs.isFinite && $0.wallMs.isFinite }
        usableSamples = usable.count
        medianCPUMs = Median.of(usable.map(\.cpuMs))
        medianWallMs = Median.of(usable.map(\.wallMs))
    }
}
