import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Turns a submission into the curve aggregates stored with it: one per (gcbench version,
/// procs) of a PyPy run, as CrowdspeedFit's ``Curve`` builds them from the CPU times (per-round
/// paired ratios to the default setting, the k samples of a round averaged).
///
/// Runs before the store's write transaction, so the write lock is held only for inserts.
public enum CurveDerivation {
    /// True for the interpreters whose nursery the fits are about.
    public static func isPyPy(_ interpreter: InterpreterInfo) -> Bool {
        interpreter.implementation.lowercased() == "pypy"
    }

    /// The curves of `submission`; empty for interpreters other than PyPy and for runs without
    /// gcbench results.
    ///
    /// Unlike ``FitCurve/curves(from:benchmark:aggregation:)`` this keeps curves of machines
    /// that report no L2 (their page still shows what was measured); the default setting's
    /// size is then unknown.
    public static func curves(of submission: Submission) -> [WorkloadCurve] {
        guard isPyPy(submission.interpreter) else { return [] }
        let relevant = submission.results.filter { $0.benchmark == BenchmarkName.gcbench }
        var groups: [GroupKey: [CurveSample]] = [:]
        for result in relevant {
            let key = GroupKey(version: result.benchmarkVersion, procs: max(1, result.params.procs ?? 1))
            for sample in result.samples {
                groups[key, default: []].append(
                    CurveSample(
                        round: sample.round, nurseryBytes: result.params.nurseryBytes, cpuMs: sample.cpuMs,
                        failed: sample.failed ?? false))
            }
        }
        return groups.keys.sorted().map { key in
            let features = MachineFeatures(machine: submission.machine, procs: key.procs)
            let defaultBytes = features.map {
                PyPyDefaultRule.nurseryBytes(version: submission.interpreter.version, features: $0)
            }
            return WorkloadCurve(
                benchmark: BenchmarkName.gcbench, benchmarkVersion: key.version, procs: key.procs,
                curve: Curve(samples: groups[key] ?? [], aggregation: .mean, defaultNurseryBytes: defaultBytes))
        }
    }

    /// (benchmark version, procs), ordered for a stable curve order.
    private struct GroupKey: Hashable, Comparable {
        var version: String
        var procs: Int
        static func < (lhs: GroupKey, rhs: GroupKey) -> Bool { (lhs.version, lhs.procs) < (rhs.version, rhs.procs) }
    }
}
