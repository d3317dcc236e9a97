import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// The advice for one machine at one process count: its own measured best when it has resolved
/// one for that PyPy version, else the served formula's answer. The API's `?machine=ID` and the
/// machine page both answer from this, so they cannot disagree.
public struct MachineAdvice: Sendable, Equatable {
    /// Which figure the advice rests on.
    public enum Source: String, Sendable, Codable {
        /// The machine's own measured curve for that PyPy version and process count.
        case measured
        /// The served formula, from the hardware numbers.
        case formula
    }

    /// Which figure answers.
    public var source: Source
    /// The size to use (PyPy's own when ``keepDefault``).
    public var nurseryBytes: Int64
    /// Do no harm: leave `PYPY_GC_NURSERY` unset.
    public var keepDefault: Bool
    /// What PyPy picks by itself on this machine.
    public var pypyDefaultBytes: Int64
    /// The resolved measured curve the advice rests on (``Source/measured`` only).
    public var measured: MachineCurve?
    /// The formula's answer, beside the measurement or as the advice itself; nil before the
    /// first fit.
    public var formula: NurseryRecommendation?
    /// With a measured curve and a formula: the formula's answer's gain over PyPy's default on
    /// this machine's own curve, T(default) / T(formula's size) − 1 (negative when the formula's
    /// size is worse here than the default).
    public var formulaGainOnThisMachine: Double?

    /// The measured curve that can answer for `procs` and `pypyVersion`: gcbench, PyPy, without a
    /// pinned `PYPY_GC_MIN`, with a best size and its bootstrap interval (at least two rounds:
    /// a single round resolves nothing).
    public static func resolvedCurve(in curves: [MachineCurve], procs: Int, pypyVersion: String?) -> MachineCurve? {
        guard let pypyVersion else { return nil }
        return curves.filter { curve in
            curve.key.benchmark == BenchmarkName.gcbench && !curve.key.pypyGCMinPinned && curve.key.procs == procs
                && curve.key.implementation.lowercased() == "pypy" && curve.key.interpreterVersion == pypyVersion
                && curve.summary.best?.intervalLowerBytes != nil && curve.summary.best?.intervalUpperBytes != nil
        }.max { $0.updatedAt < $1.updatedAt }
    }

    /// The advice, or nil when neither a resolved measured curve nor a formula exists.
    ///
    /// - Parameters:
    ///   - features: the machine's hardware at the process count asked about.
    ///   - pypyVersion: the PyPy version asked about.
    ///   - curves: the machine's own curves (empty for a machine described by hardware only).
    ///   - report: the served formula's fit report, nil before the first fit.
    /// - Returns: measured advice keeps PyPy's default when the default lies in the curve's flat
    ///   set (within 2% of the best: the measurement cannot tell them apart).
    public static func advise(
        features: MachineFeatures, pypyVersion: String?, curves: [MachineCurve], report: FitReport?
    ) -> MachineAdvice? {
        let formula = report?.recommend(for: features, pypyVersion: pypyVersion)
        let defaultBytes = PyPyDefaultRule.nurseryBytes(version: pypyVersion, features: features)
        if let curve = resolvedCurve(in: curves, procs: features.procs, pypyVersion: pypyVersion),
            let best = curve.summary.best
        {
            let keep = curve.summary.defaultInFlatSet || !(best.relativeTime < 1)
            let pypyDefault = curve.summary.defaultNurseryBytes ?? defaultBytes
            let onThisMachine = formula.map { formula in
                1 / curve.summary.relativeTime(atNursery: formula.formulaBytes) - 1
            }
            return MachineAdvice(
                source: .measured, nurseryBytes: keep ? pypyDefault : best.nurseryBytes, keepDefault: keep,
                pypyDefaultBytes: pypyDefault, measured: curve, formula: formula,
                formulaGainOnThisMachine: onThisMachine.flatMap { $0.isFinite ? $0 : nil })
        }
        guard let formula else { return nil }
        return MachineAdvice(
            source: .formula, nurseryBytes: formula.nurseryBytes, keepDefault: formula.keepDefault,
            pypyDefaultBytes: formula.pypyDefaultBytes, measured: nil, formula: formula,
            formulaGainOnThisMachine: nil)
    }
}
