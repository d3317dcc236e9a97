import Foundation

/// Robust screening of a submission against its peers: the second plausibility check after the
/// per-field rules of ``Submission/validationIssues(limits:now:)``.
///
/// Field rules can only refuse what is physically impossible. A fabricated sweep can be entirely
/// possible and still far from every real machine of its kind, so the server *flags* such a
/// submission (it is stored, shown as flagged, and an operator decides) rather than dropping it:
/// a real but unusual machine must not vanish silently.
///
/// The statistic is deliberately simple so an operator can recompute it by hand:
///
/// - **Value**: the median `cpu_ms` of the submission's gcbench samples at the interpreter's
///   default nursery with `procs = 1` (non-failed samples only) — the control point every agent
///   sweep contains. A submission without it is not screened.
/// - **Peers**: earlier, unquarantined submissions whose machine has the same class
///   (architecture × CPU vendor) and which ran the same interpreter implementation and gcbench
///   version — PyPy and CPython differ several-fold on the same workload, so mixing them would
///   flag every PyPy run among CPython peers.
/// - **Score**: on log values (a machine 3× slower is as unusual as one 3× faster), the robust z
///   `(log x − median) / (1.4826 · MAD)`. The MAD is floored at 1% (log 1.01) so identical peers
///   do not make every small difference infinitely unusual.
/// - **Flag** when there are at least ``minimumPeers`` peers and `|z| >` ``threshold``.
public enum OutlierScreen {
    /// Fewer peers than this and nothing is flagged: a median of a handful says little.
    public static let minimumPeers = 8
    /// Robust z beyond which a submission is flagged. 6 is far outside what honest hardware
    /// variation within a class gives (z of 3 would flag real slow laptops).
    public static let threshold = 6.0
    /// The smallest MAD used, in log units (≈ 1%).
    public static let madFloor = log(1.01)
    /// Scale making the MAD a consistent estimator of the standard deviation for normal data.
    static let madScale = 1.4826

    /// The screened value of `submission`, or nil when it has no default-nursery, single-process
    /// gcbench samples that did not fail.
    public static func value(of submission: Submission) -> Double? {
        let cpu = submission.results
            .filter { $0.benchmark == BenchmarkName.gcbench && $0.params.procs == 1 && $0.params.nurseryBytes == nil }
            .flatMap(\.samples)
            .filter { $0.failed != true && $0.cpuMs.isFinite && $0.cpuMs > 0 }
            .map(\.cpuMs)
        return Median.of(cpu)
    }

    /// The gcbench version of the screened result, which peers must share.
    public static func benchmarkVersion(of submission: Submission) -> String? {
        submission.results.first {
            $0.benchmark == BenchmarkName.gcbench && $0.params.procs == 1 && $0.params.nurseryBytes == nil
        }?
        .benchmarkVersion
    }

    /// The robust z of `value` among `peers`, or nil with fewer than ``minimumPeers`` usable peers.
    public static func score(_ value: Double, peers: [Double]) -> Double? {
        let logs = peers.filter { $0.isFinite && $0 > 0 }.map { log($0) }
        guard logs.count >= minimumPeers, value.isFinite, value > 0, let center = Median.of(logs) else { return nil }
        let mad = Median.of(logs.map { abs($0 - center) }) ?? 0
        return (log(value) - center) / (madScale * max(mad, madFloor))
    }

    /// Why `value` is flagged among `peers`, or nil when it is not (or there are too few peers).
    public static func flag(_ value: Double, peers: [Double]) -> String? {
        guard let z = score(value, peers: peers), abs(z) > threshold else { return nil }
        let center = exp(Median.of(peers.filter { $0.isFinite && $0 > 0 }.map { log($0) }) ?? 0)
        return String(
            format:
                "outlier: default-nursery gcbench median %.1f ms CPU vs %.1f ms for %d peers of its class (robust z %.1f)",
            value, center, peers.count, z)
    }
}
