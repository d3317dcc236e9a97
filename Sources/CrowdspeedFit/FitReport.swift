import CrowdspeedCore
import Foundation

/// Mean and 90th percentile of per-curve regrets (0.05 = 5% slower than the curve's best).
public struct RegretSummary: Sendable, Equatable, Codable {
    /// Weighted by ``FitCurve/weight``; NaN when there are no curves.
    public var mean: Double
    /// Weighted too (``Stats/weightedQuantile(_:weights:_:)``; the plain type-7 quantile when
    /// every weight is equal).
    public var p90: Double
    /// Curves with a finite regret and a positive weight (a count, not a weight sum).
    public var curves: Int

    public init(mean: Double, p90: Double, curves: Int) {
        self.mean = mean
        self.p90 = p90
        self.curves = curves
    }

    /// Summarizes the finite values of `regrets`, each of weight 1.
    public init(_ regrets: [Double]) {
        let finite = regrets.filter(\.isFinite).sorted()
        self.init(mean: Stats.mean(finite), p90: Stats.quantileSorted(finite, 0.9), curves: finite.count)
    }

    /// Summarizes `regrets` weighted by `weights` (same count); pairs with a non-finite regret
    /// or a weight that is not finite and > 0 are left out.
    public init(_ regrets: [Double], weights: [Double]) {
        let admitted = zip(regrets, weights).filter { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 }.count
        self.init(
            mean: Stats.weightedMean(regrets, weights: weights),
            p90: Stats.weightedQuantile(regrets, weights: weights, 0.9),
            curves: admitted)
    }
}

/// Gain over the interpreter's default setting across curves: T(default) / T(recommended) − 1.
public struct GainSummary: Sendable, Equatable, Codable {
    public var mean: Double
    public var p10: Double
    public var p90: Double

    public init(mean: Double, p10: Double, p90: Double) {
        self.mean = mean
        self.p10 = p10
        self.p90 = p90
    }

    /// Summarizes the finite values of `gains`, each of weight 1.
    public init(_ gains: [Double]) {
        let finite = gains.filter(\.isFinite).sorted()
        self.init(
            mean: Stats.mean(finite), p10: Stats.quantileSorted(finite, 0.1), p90: Stats.quantileSorted(finite, 0.9))
    }

    /// Summarizes `gains` weighted by `weights` (same count), as ``RegretSummary/init(_:weights:)``.
    public init(_ gains: [Double], weights: [Double]) {
        let quantiles = Stats.weightedQuantiles(gains, weights: weights, [0.1, 0.9])
        self.init(mean: Stats.weightedMean(gains, weights: weights), p10: quantiles[0], p90: quantiles[1])
    }
}

/// One formula or baseline with its out-of-sample numbers.
public struct FormulaEvaluation: Sendable, Equatable, Codable {
    /// `k_l3_per_procs`, `pypy_default`, `constant_8M`, `best_constant`, …
    public var name: String
    /// For fitted families, the formula fitted on all curves.
    public var formula: Formula
    /// Leave-one-CPU-model-out regret (in-sample when the data hold a single CPU model; see
    /// ``FitReport/isHeldOut``). Baselines without parameters have nothing to hold out.
    public var heldOutRegret: RegretSummary
    /// Noise floor check: fitted on curves from odd rounds, scored on curves from even rounds
    /// (all machines); nil when no curve has both.
    public var splitRegret: Double?
    /// The held-out predictions' gain over the default setting.
    public var gainOverDefault: GainSummary
}

/// A hardware class's own formula and whether it earned its place.
public struct ClassFit: Sendable, Equatable, Codable {
    public var hardwareClass: HardwareClass
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int
    /// The best family fitted on this class alone, held out by CPU model within the class.
    public var evaluation: FormulaEvaluation
    /// The global formula's held-out regret on the same curves.
    public var globalRegret: RegretSummary
    /// True when the class formula beats the global one by the configured margin and is served.
    public var accepted: Bool
}

/// The ranges of inputs the fit has seen; recommendations outside them are extrapolations.
public struct FeatureRange: Sendable, Equatable, Codable {
    public var l2Bytes: ClosedRange<Int64>
    /// L3 over the curves whose machine has one; nil when none has.
    public var l3Bytes: ClosedRange<Int64>?
    /// L3, or L2 on machines without one.
    public var lastLevelCacheBytes: ClosedRange<Int64>
    public var physicalCores: ClosedRange<Int>
    public var procs: ClosedRange<Int>
    /// Curves from machines without an L3.
    public var curvesWithoutL3: Int

    /// True when every input of `features` lies inside the ranges (and, for a machine without an
    /// L3, when some training machine had none either).
    public func contains(_ features: MachineFeatures) -> Bool {
        l2Bytes.contains(features.l2Bytes) && lastLevelCacheBytes.contains(features.lastLevelCacheBytes)
            && physicalCores.contains(features.physicalCores) && procs.contains(features.procs)
            && (features.l3Bytes != nil || curvesWithoutL3 > 0)
    }
}

/// How much data a fit rests on.
///
/// The counts are over the usable input curves, machines the robust fit's screening flagged
/// included (they are data the fit looked at; ``FitReport/screening`` lists them);
/// ``weightedMachines`` is what the machines are worth in the fit itself.
public struct FitEvidence: Sendable, Equatable, Codable {
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int
    public var hardwareClasses: Int
    /// Curves in the input that had no usable point (only default runs, all samples failed) or
    /// no positive weight.
    public var skippedCurves: Int
    /// What ``machines`` are worth once weights apply: Σ over machines of their curves' largest
    /// ``FitCurve/weight`` after the robust fit's origin cap, flagged machines counting 0 (equal
    /// to ``machines`` when every weight is 1 and nothing is capped or flagged). Nil in reports
    /// stored before curves had weights.
    public var weightedMachines: Double?
}

/// The outcome of a refit: what to serve, and the numbers that justify it.
public struct FitReport: Sendable, Equatable, Codable {
    /// The global formula: the candidate with the lowest held-out regret (a simpler one within
    /// ``FitConfiguration/simplicityMargin`` wins). It is PyPy's own rule when nothing beats it.
    public var global: FormulaEvaluation
    /// Every fitted family, for display.
    public var candidates: [FormulaEvaluation]
    /// PyPy's rule, the fixed constants and the best single constant.
    public var baselines: [FormulaEvaluation]
    /// Classes with enough machines, accepted or not.
    public var classes: [ClassFit]
    /// Every class with a usable curve and its counts, eligible for its own formula or not, in
    /// class order. Nil in reports stored before it existed.
    public var classEvidence: [ClassEvidence]?
    /// Mean regret, on even-round curves, of each curve's own best choice on odd-round curves:
    /// what measurement noise alone costs. Nil without curves having both.
    public var noiseFloor: Double?
    public var trainingRange: FeatureRange?
    public var evidence: FitEvidence
    /// False when the data hold fewer than two CPU models, so "held-out" regrets are in-sample.
    public var isHeldOut: Bool
    public var configuration: FitConfiguration
    /// What the robust fit did: machines flagged as implausible (left out of the fit and its
    /// scores, listed for the operator) and origins capped. Nil when the fit ran without
    /// ``FitConfiguration/robust``, and in reports stored before it existed.
    public var screening: ScreeningReport? = nil
    /// How much of the gain remains with `PYPY_GC_MIN` pinned, from the stored study-mode curves;
    /// set by the server's refit (nil in fits without that data source, and in older reports).
    public var gcMinStudy: GCMinStudy? = nil
    /// The served formulas' gain profiles (``GainProfile/profiles(for:on:)``), keyed like the
    /// prediction intervals. Nil in reports stored before profiles existed; those recommend
    /// from the population-average gain instead.
    public var gainProfiles: [String: GainProfile]?

    /// The formula served for `hardwareClass`: its own when accepted, else the global one.
    public func evaluation(for hardwareClass: HardwareClass) -> (
        evaluation: FormulaEvaluation, hardwareClass: HardwareClass?
    ) {
        if let fit = classes.first(where: { $0.hardwareClass == hardwareClass && $0.accepted }) {
            return (fit.evaluation, fit.hardwareClass)
        }
        return (global, nil)
    }

    /// The recommended nursery for a machine.
    ///
    /// - Parameters:
    ///   - features: the machine and the process count it will run.
    ///   - pypyVersion: the interpreter version, for its own default (nil: newest rule).
    /// - Returns: a recommendation whose ``NurseryRecommendation/expectedGain`` is this input's
    ///   own: the served formula's ``GainProfile`` read at the log2 distance between PyPy's
    ///   default and the formula's answer. ``NurseryRecommendation/keepDefault`` is set (do no
    ///   harm) when the served formula is PyPy's rule, gives PyPy's own size, or the lower end
    ///   (p10) of that expected gain is not above zero. A report without profiles falls back to
    ///   the formula's population-average gain.
    public func recommend(for features: MachineFeatures, pypyVersion: String?) -> NurseryRecommendation {
        let (evaluation, hardwareClass) = evaluation(for: features.hardwareClass)
        let defaultBytes = PyPyDefaultRule.nurseryBytes(version: pypyVersion, features: features)
        let bytes = evaluation.formula.predict(features, pypyVersion: pypyVersion)
        let distance = log2(Double(max(1, defaultBytes))) - log2(Double(max(1, bytes)))
        let profile =
            gainProfiles?[hardwareClass?.description ?? PredictionInterval.globalKey]
            ?? gainProfiles?[PredictionInterval.globalKey]
        let expected = profile?.gain(atDistance: distance) ?? evaluation.gainOverDefault
        let keep =
            evaluation.formula.family == .pypyDefault || bytes == defaultBytes
            || (profile == nil ? !(expected.mean > 0) : !(expected.p10 > 0))
        return NurseryRecommendation(
            nurseryBytes: keep ? defaultBytes : bytes, formula: evaluation.formula, formulaName: evaluation.name,
            hardwareClass: hardwareClass, heldOutRegret: evaluation.heldOutRegret,
            gainOverDefault: evaluation.gainOverDefault, expectedGain: expected,
            expectedGainBasis: profile == nil ? .population : .distance(log2: distance, curves: profile!.curves),
            formulaBytes: bytes,
            pypyDefaultBytes: defaultBytes, insideTrainingRange: trainingRange?.contains(features) ?? false,
            keepDefault: keep)
    }
}

/// What the recommendations API answers for one machine.
public struct NurseryRecommendation: Sendable, Equatable, Codable {
    /// The size to use (PyPy's own when ``keepDefault``).
    public var nurseryBytes: Int64
    public var formula: Formula
    public var formulaName: String
    /// The class whose own formula was used; nil for the global formula.
    public var hardwareClass: HardwareClass?
    public var heldOutRegret: RegretSummary
    /// The formula's gain over the default on held-out training curves (mean, p10…p90): the
    /// population average, the same for every input.
    public var gainOverDefault: GainSummary
    /// This input's own expected gain of the formula's answer over PyPy's default (mean, and
    /// p10…p90 as its 80% interval); see ``FitReport/recommend(for:pypyVersion:)``.
    public var expectedGain: GainSummary
    /// Where ``expectedGain`` comes from.
    public var expectedGainBasis: ExpectedGainBasis
    /// What the formula itself answers, even when the advice is to keep the default.
    public var formulaBytes: Int64
    /// What PyPy would pick by itself.
    public var pypyDefaultBytes: Int64
    public var insideTrainingRange: Bool
    /// Do no harm: true when the advice is to leave `PYPY_GC_NURSERY` unset.
    public var keepDefault: Bool

    /// The `PYPY_GC_NURSERY` value, e.g. `8M`.
    public var environmentValue: String { NurserySize.format(nurseryBytes) }
}

/// Where a recommendation's expected gain comes from.
public enum ExpectedGainBasis: Sendable, Equatable, Codable {
    /// The served formula's ``GainProfile`` at `log2` = log2(default) − log2(answer), over `curves`.
    case distance(log2: Double, curves: Int)
    /// The formula's population-average held-out gain (reports without gain profiles).
    case population
}
