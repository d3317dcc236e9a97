import CrowdspeedCore
import Foundation

/// The knobs of the robust fit: how much any group of machines may move the served formula
/// without anyone knowing which machines lie. See ``FitConfiguration/robust``.
///
/// Three layers, each bounding what the previous one lets through:
///
/// 1. **Origin cap.** One network origin (``FitCurve/origin``) counts for at most
///    ``originCap`` machines per hardware class, however many install tokens it used: fresh
///    tokens are free, address blocks are not.
/// 2. **Screening.** A high-breakdown regression (least trimmed squares) of each curve's
///    measured optimum (log2 of its flat set's centre) on the hardware predicts where the
///    optimum should lie given the other machines; a machine whose curves sit more than
///    ``screeningCutoff`` robust standard deviations from that is flagged, listed in
///    ``FitReport/screening``, and left out of the fit and of its scores. Flagged, not deleted:
///    its data stay stored and the next refit judges it afresh.
/// 3. **Bounded losses.** What is left is fitted with losses that cap each curve's pull: the
///    log-linear family by Huber's loss on the log2 optimum, the grid-searched families by
///    regret capped at ``regretCap``.
public struct RobustFitOptions: Sendable, Equatable, Codable {
    /// Machines one origin may count for per hardware class (its machines' weights are scaled
    /// down together when they sum to more). Nil: no origin cap. Curves without an origin are
    /// each their machine's own origin, so they are never capped.
    public var originCap: Double? = 2
    /// Flag machines whose root-mean-square standardized residual exceeds this; nil: no
    /// screening. 3.5 flags about one honest machine in several hundred at normal errors.
    public var screeningCutoff: Double? = 3.5
    /// Share of the weight the trimmed regression keeps (its breakdown point is one minus this).
    public var trimmedCoverage = 0.6
    /// Floor on the screening and Huber scales, in log2 units: a quarter power of two, the
    /// flat set's resolution, so that a tight population does not make ordinary spread look
    /// implausible.
    public var minimumScale = 0.25
    /// Screening needs at least this many usable curves (fewer: nothing is flagged): a trimmed
    /// regression of six coefficients on a few dozen curves mistakes honest spread for lies.
    public var screeningMinCurves = 60
    /// Huber's k for the log-linear family, in units of the residual scale; nil: plain least squares.
    public var huberTuning: Double? = 1.345
    /// Per-curve regret above this counts as this in the grid searches (0.15 = 15%): a curve
    /// no candidate serves well then pulls no candidate. Nil: uncapped mean regret.
    public var regretCap: Double? = 0.15
    /// Random starts of the trimmed regression, and the seed of its generator (fits are
    /// reproducible: the same input gives the same flags).
    public var trimmedStarts = 20
    public var seed: UInt64 = 0x5C4E_E41F

    /// The documented defaults.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case originCap, screeningCutoff, trimmedCoverage, minimumScale, screeningMinCurves, huberTuning, regretCap,
            trimmedStarts, seed
    }

    /// Decodes stored options; a key missing (a report stored by an older version) takes its
    /// default, except the optional knobs, which stay off when absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        originCap = try container.decodeIfPresent(Double.self, forKey: .originCap)
        screeningCutoff = try container.decodeIfPresent(Double.self, forKey: .screeningCutoff)
        trimmedCoverage = try container.decodeIfPresent(Double.self, forKey: .trimmedCoverage) ?? 0.6
        minimumScale = try container.decodeIfPresent(Double.self, forKey: .minimumScale) ?? 0.25
        screeningMinCurves = try container.decodeIfPresent(Int.self, forKey: .screeningMinCurves) ?? 60
        huberTuning = try container.decodeIfPresent(Double.self, forKey: .huberTuning)
        regretCap = try container.decodeIfPresent(Double.self, forKey: .regretCap)
        trimmedStarts = try container.decodeIfPresent(Int.self, forKey: .trimmedStarts) ?? 20
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 0x5C4E_E41F
    }
}

/// A machine the screening found implausible: listed for the operator, left out of the fit.
public struct FlaggedMachine: Sendable, Equatable, Codable {
    public var machineID: String
    public var cpuModel: String
    /// The origin its curves came from, when known.
    public var origin: String?
    public var hardwareClass: HardwareClass
    /// Curves of the machine that were screened.
    public var curves: Int
    /// Mean over its curves of log2 of the measured optimum (flat-set centre) and of what the
    /// trimmed regression expects for its hardware, so an operator sees e.g. "claims 64M where
    /// 4M is expected".
    public var measuredLog2Optimum: Double
    public var expectedLog2Optimum: Double
    /// Root-mean-square standardized residual over its curves (flagged above the cutoff).
    public var score: Double
}

/// What the robust layers did in one fit: who was flagged, which origins were capped.
public struct ScreeningReport: Sendable, Equatable, Codable {
    /// Flagged machines, highest score first.
    public var flagged: [FlaggedMachine]
    /// Machines screened (those with a usable curve), flagged ones included.
    public var screenedMachines: Int
    /// Curves of the flagged machines (left out of the fit).
    public var flaggedCurves: Int
    /// The robust standard deviation of log2 optima around the trimmed regression (floored at
    /// ``RobustFitOptions/minimumScale``); nil when screening did not run.
    public var scale: Double?
    /// (origin, hardware class) groups whose weight the origin cap scaled down, and the machine
    /// weight removed by it.
    public var cappedOrigins: Int
    public var weightRemovedByOriginCap: Double
    /// False when there were too few curves to screen (``RobustFitOptions/screeningMinCurves``).
    public var screened: Bool

    /// Machines flagged.
    public var flaggedMachines: Int { flagged.count }

    public init(
        flagged: [FlaggedMachine], screenedMachines: Int, flaggedCurves: Int, scale: Double?, cappedOrigins: Int,
        weightRemovedByOriginCap: Double, screened: Bool
    ) {
        self.flagged = flagged
        self.screenedMachines = screenedMachines
        self.flaggedCurves = flaggedCurves
        self.scale = scale
        self.cappedOrigins = cappedOrigins
        self.weightRemovedByOriginCap = weightRemovedByOriginCap
        self.screened = screened
    }
}

/// The robust fit's first two layers (``RobustFitOptions``), applied to the input's weights.
public enum RobustWeighting {
    /// Scales each origin's weight down to its cap per hardware class.
    ///
    /// Within each (origin, hardware class), a machine counts its curves' largest admitted
    /// weight; when those sum to more than `cap`, every curve of the group is scaled by
    /// cap / sum, so the group weighs exactly `cap` machines and keeps its internal proportions
    /// (an install cap already applied stays applied). Curves without an origin form a group
    /// per machine and are left as they are, as are weights that are not finite and > 0.
    ///
    /// - Returns: the curves with capped weights, the number of groups capped, and the machine
    ///   weight removed.
    public static func capOrigins(_ curves: [FitCurve], cap: Double) -> (
        curves: [FitCurve], cappedGroups: Int, removedWeight: Double
    ) {
        guard cap.isFinite, cap > 0 else { return (curves, 0, 0) }
        struct Key: Hashable {
            var origin: String
            var hardwareClass: HardwareClass
        }
        var machineWeight: [Key: [String: Double]] = [:]
        for curve in curves where curve.origin != nil && curve.weight.isFinite && curve.weight > 0 {
            let key = Key(origin: curve.origin!, hardwareClass: curve.features.hardwareClass)
            machineWeight[key, default: [:]][curve.machineID] = max(
                machineWeight[key]?[curve.machineID] ?? 0, curve.weight)
        }
        var factor: [Key: Double] = [:]
        var removed = 0.0
        for (key, machines) in machineWeight {
            let sum = machines.values.reduce(0, +)
            if sum > cap {
                factor[key] = cap / sum
                removed += sum - cap
            }
        }
        guard !factor.isEmpty else { return (curves, 0, 0) }
        let capped = curves.map { curve in
            guard let origin = curve.origin,
                let scale = factor[Key(origin: origin, hardwareClass: curve.features.hardwareClass)]
            else { return curve }
            var copy = curve
            copy.weight *= scale
            return copy
        }
        return (capped, factor.count, removed)
    }

    /// Flags machines whose measured optima are implausible for their hardware given the others.
    ///
    /// Each usable curve's target is log2 of its flat set's centre; a least-trimmed-squares fit
    /// of the targets on the log-linear family's features (weighted by the curves' weights)
    /// gives the expected optimum and a robust scale s (floored at `minimumScale`). A machine's
    /// score is the root-mean-square of its curves' residuals / s; above `cutoff` it is flagged.
    ///
    /// - Parameters:
    ///   - curves: the fit's input, weights already capped.
    ///   - options: cutoff, coverage, floors, starts and seed.
    ///   - flatTolerance: the flat set's tolerance (``FitConfiguration/flatTolerance``).
    ///   - ridge: the log-linear ridge (``FitConfiguration/ridge``).
    /// - Returns: the report (nothing flagged when screening is off or the curves are too few).
    public static func screen(
        _ curves: [FitCurve], options: RobustFitOptions, flatTolerance: Double, ridge: Double
    ) -> ScreeningReport {
        var design: [[Double]] = []
        var response: [Double] = []
        var weights: [Double] = []
        var sources: [Int] = []
        for (index, curve) in curves.enumerated() where CurveTable.admits(curve.curve, weight: curve.weight) {
            let target = CurveTable.flatCentre(curve.curve, tolerance: flatTolerance)
            guard target.isFinite else { continue }
            let row = FeatureRow(curve.features)
            design.append([1, row.log2L2, row.log2LLC, row.noL3, row.log2Cores, row.log2Procs])
            response.append(target)
            weights.append(curve.weight)
            sources.append(index)
        }
        let machines = Set(sources.map { curves[$0].machineID }).count
        guard let cutoff = options.screeningCutoff, sources.count >= max(options.screeningMinCurves, 8) else {
            return ScreeningReport(
                flagged: [], screenedMachines: machines, flaggedCurves: 0, scale: nil, cappedOrigins: 0,
                weightRemovedByOriginCap: 0, screened: false)
        }
        var generator = SplitMix64(seed: options.seed)
        guard
            let fit = RobustRegression.leastTrimmedSquares(
                design: design, response: response, weights: weights, coverage: options.trimmedCoverage,
                ridge: ridge, starts: options.trimmedStarts, using: &generator)
        else {
            return ScreeningReport(
                flagged: [], screenedMachines: machines, flaggedCurves: 0, scale: nil, cappedOrigins: 0,
                weightRemovedByOriginCap: 0, screened: false)
        }
        let scale = max(options.minimumScale, fit.scale.isFinite ? fit.scale : 0)
        // Per machine, in order of first appearance: its screened rows.
        var order: [String] = []
        var rowsByMachine: [String: [Int]] = [:]
        for (k, source) in sources.enumerated() {
            let id = curves[source].machineID
            if rowsByMachine[id] == nil { order.append(id) }
            rowsByMachine[id, default: []].append(k)
        }
        var flagged: [FlaggedMachine] = []
        var flaggedCurves = 0
        for id in order {
            let rows = rowsByMachine[id]!
            let score = (rows.reduce(0) { $0 + pow(fit.residuals[$1] / scale, 2) } / Double(rows.count)).squareRoot()
            guard score > cutoff else { continue }
            let first = curves[sources[rows[0]]]
            let measured = rows.reduce(0) { $0 + response[$1] } / Double(rows.count)
            let expected = rows.reduce(0) { $0 + response[$1] - fit.residuals[$1] } / Double(rows.count)
            flagged.append(
                FlaggedMachine(
                    machineID: id, cpuModel: first.cpuModel, origin: first.origin,
                    hardwareClass: first.features.hardwareClass, curves: rows.count, measuredLog2Optimum: measured,
                    expectedLog2Optimum: expected, score: score))
            flaggedCurves += curves.filter { $0.machineID == id }.count
        }
        flagged.sort { ($0.score, $1.machineID) > ($1.score, $0.machineID) }
        return ScreeningReport(
            flagged: flagged, screenedMachines: machines, flaggedCurves: flaggedCurves, scale: scale, cappedOrigins: 0,
            weightRemovedByOriginCap: 0, screened: true)
    }

    /// Applies the origin cap, then screening, as configured: the curves the fit should use
    /// (flagged machines' curves at weight 0) and what was done.
    ///
    /// - Returns: the input unchanged and a nil report when `options` is nil (robustness off).
    public static func apply(_ curves: [FitCurve], options: RobustFitOptions?, flatTolerance: Double, ridge: Double)
        -> (curves: [FitCurve], report: ScreeningReport?)
    {
        guard let options else { return (curves, nil) }
        var weighted = curves
        var cappedGroups = 0
        var removed = 0.0
        if let cap = options.originCap {
            (weighted, cappedGroups, removed) = capOrigins(curves, cap: cap)
        }
        var report = screen(weighted, options: options, flatTolerance: flatTolerance, ridge: ridge)
        report.cappedOrigins = cappedGroups
        report.weightRemovedByOriginCap = removed
        let flaggedIDs = Set(report.flagged.map(\.machineID))
        if !flaggedIDs.isEmpty {
            for index in weighted.indices where flaggedIDs.contains(weighted[index].machineID) {
                weighted[index].weight = 0
            }
        }
        return (weighted, report)
    }
}
