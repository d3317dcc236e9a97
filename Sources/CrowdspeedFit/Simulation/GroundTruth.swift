import Foundation

/// The simulator's documented ground truth for one machine: the true optimum per process count
/// and the true shape of CPU time against nursery size.
///
/// **Optimum.** With S = LLC / procs the last-level cache each concurrent process can count on
/// (LLC = L3, or L2 without one; `shared_by` is ignored), the true optimum is the geometric mean
/// of "4 × L2" and "S", shifted by the GC_MIN coupling and a per-machine effect the hardware
/// numbers do not explain:
///
///     log2 opt = 0.5·log2(4·L2) + 0.5·log2(LLC / procs) + coupling + ε,  ε ~ N(0, 0.2²)
///
/// clamped to 512K…32M so the optimum lies well inside the agent's 256K…64M grid. This is a
/// mixture of the "L2-ish" and "L3/procs-ish" stories: no one-parameter family is exactly right,
/// the log-linear family is (up to ε).
///
/// **PYPY_GC_MIN coupling.** Unless set, PyPy's `PYPY_GC_MIN` is 8 × nursery, so a bigger
/// nursery also postpones major collections. The simulated agent leaves it unset (coupling = 0
/// and the right side of the curve rises slowly); with `pinnedGCMin` the optimum moves down by
/// half a power of two (coupling = −0.5) and the right side rises twice as fast.
///
/// **Shape.** With x = log2(n / opt) and flat half-width h ∈ [0.6, 0.9] per machine:
///
///     f(x) = 1 + aL·x²·(1 + 0.15·|x|)  for x < 0      (steeper and steeper toward small nurseries)
///     f(x) = 1 + aR·x²                  for x ≥ 0
///
/// with aL chosen so that f(−h) = 1.02 and aR = aL / 4 (coupled) or aL / 2 (pinned): the
/// curve is within 2% of its minimum over [−h, 2h] (coupled), a factor of 3.5–6.5 in size, and
/// 8× below the optimum costs +28…+67% — the measured real curve (PyPy 7.3.11, 2-core EPYC) had
/// +42% at 1M against its 8M best.
public struct GroundTruth: Sendable, Equatable {
    /// Process counts, ascending, and log2 of the true optimum for each.
    public var procs: [Int]
    public var log2Optimum: [Double]
    public var leftCurvature: Double
    public var rightCurvature: Double

    /// The true optimum in bytes (not snapped) for `procs`, nil when that count was not simulated.
    public func optimumBytes(procs count: Int) -> Double? {
        procs.firstIndex(of: count).map { exp2(log2Optimum[$0]) }
    }

    /// f: CPU time at `nurseryBytes` relative to the true optimum's (≥ 1), for `procs`.
    public func relativeToOptimum(nurseryBytes: Double, procs count: Int) -> Double? {
        guard let index = procs.firstIndex(of: count), nurseryBytes > 0 else { return nil }
        return shape(log2(nurseryBytes) - log2Optimum[index])
    }

    func shape(_ x: Double) -> Double {
        x < 0 ? 1 + leftCurvature * x * x * (1 + 0.15 * -x) : 1 + rightCurvature * x * x
    }
}
