import CrowdspeedCore

/// One sample before it is assigned to a round: what was run and what was measured.
public struct Measurement: Sendable, Equatable {
    public var benchmark: String
    public var benchmarkVersion: String
    public var params: ResultParams
    public var wallMs: Double
    public var cpuMs: Double
    public var maxRSSBytes: Int64
    public var foreignLoad: Double
    public var noisy: Bool
    public var failed: Bool
    /// Why the sample failed (the child's last stderr line or its signal), for the progress log.
    public var failure: String?

    /// The wire sample for measured round `round`. Timings are floored at 1 µs, since the wire
    /// format requires a positive time even for a child that died at once.
    func sample(round: Int) -> Sample {
        Sample(
            wallMs: max(0.001, wallMs), cpuMs: max(0.001, cpuMs), maxRSSBytes: max(0, maxRSSBytes), round: round,
            foreignLoad: foreignLoad, noisy: noisy ? true : nil, failed: failed ? true : nil)
    }

    /// The key a result is grouped under.
    var resultKey: ResultKey { ResultKey(benchmark: benchmark, benchmarkVersion: benchmarkVersion, params: params) }
}

/// Benchmark, version and params: one `BenchmarkResult`.
struct ResultKey: Hashable, Sendable {
    var benchmark: String
    var benchmarkVersion: String
    var params: ResultParams
}
