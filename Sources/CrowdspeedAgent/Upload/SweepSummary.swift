import CrowdspeedCore
import Foundation

/// The headline of a sweep: per process count, the best nursery against the interpreter's
/// default, from the medians of this run's own CPU times.
public struct SweepSummary: Sendable, Equatable {
    /// One process count's line.
    public struct Line: Sendable, Equatable {
        public var procs: Int
        public var bestNurseryBytes: Int64?
        public var bestMedianMs: Double
        public var defaultMedianMs: Double
        /// (best − default) / default × 100: negative means the best is faster than the default.
        public var percentVersusDefault: Double
    }

    public var lines: [Line]

    /// Builds the summary from gcbench results; failed samples are left out. Process counts
    /// without a default measurement are skipped (there is nothing to compare against).
    public init(results: [BenchmarkResult]) {
        var byProcs: [Int: [Int64?: Double]] = [:]
        for result in results where result.benchmark == BenchmarkName.gcbench {
            let cpu = result.samples.filter { $0.failed != true }.map(\.cpuMs)
            guard let procs = result.params.procs, !cpu.isEmpty else { continue }
            byProcs[procs, default: [:]][result.params.nurseryBytes] = CurveResolution.quantile(cpu, 0.5)
        }
        lines = byProcs.keys.sorted().compactMap { procs in
            let medians = byProcs[procs]!
            guard let base = medians[nil], let best = medians.min(by: { $0.value < $1.value }) else { return nil }
            return Line(
                procs: procs, bestNurseryBytes: best.key, bestMedianMs: best.value, defaultMedianMs: base,
                percentVersusDefault: (best.value - base) / base * 100)
        }
    }

    /// Human-readable lines, e.g. `procs=1: best PYPY_GC_NURSERY=8M, 342 ms CPU vs 488 ms at the default (-29.9%)`.
    public var text: String {
        if lines.isEmpty { return "no nursery sweep in this run" }
        return lines.map { line in
            let best =
                line.bestNurseryBytes.map { "PYPY_GC_NURSERY=\(NurserySize.format($0))" }
                ?? "the default (no PYPY_GC_NURSERY)"
            return String(
                format: "procs=%d: best %@, %.0f ms CPU vs %.0f ms at the default (%+.1f%%)",
                line.procs, best, line.bestMedianMs, line.defaultMedianMs, line.percentVersusDefault)
        }.joined(separator: "\n")
    }
}
