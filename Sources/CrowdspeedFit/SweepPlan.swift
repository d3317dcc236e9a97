import CrowdspeedCore
import Foundation

/// The nursery sizes worth timing on one machine at one process count, and when to stop: what
/// `GET /api/v1/plan` serves and what the simulator's planned volunteers sweep.
///
/// With a formula, the sizes are a dense band of powers of two around its prediction (its 80%
/// prediction interval where it has one, at least one size either side so the best can be
/// resolved against neighbours), and one far point 4× beyond each end of the band so the
/// curve still shows its shape. PyPy's default is the control every sweep runs anyway (the
/// agent's unset `PYPY_GC_NURSERY`), so it is not listed again. Without a formula the plan is
/// today's full grid with today's stopping rule, so an agent has one code path either way.
public struct SweepPlan: Sendable, Equatable {
    /// What the sizes rest on.
    public enum Basis: String, Sendable, Equatable {
        /// The served formula's prediction and its interval.
        case formula
        /// No formula yet: the full grid.
        case fullGrid = "full_grid"
    }

    public var basis: Basis
    /// Sizes to time besides the default control, ascending, all within ``NurserySize/sweepGrid``.
    public var nurseries: [Int64]
    /// The formula's predicted best (unsnapped); nil for ``Basis/fullGrid``.
    public var predictedBytes: Int64?
    /// The dense band's ends (inclusive, in ``nurseries``); nil for ``Basis/fullGrid``.
    public var band: ClosedRange<Int64>?
    /// What PyPy picks by itself here: the control's size.
    public var pypyDefaultBytes: Int64
    /// How the agent decides it has measured enough.
    public var stopping: StoppingRule

    /// Rounds of a planned sweep: a median of three survives one outlier, and the band is
    /// narrow enough that most curves resolve soon after; the cap keeps a flat curve from
    /// running today's 30 rounds on sizes that all cost the same.
    public static let plannedStopping = StoppingRule(mode: .adaptive(minimum: 3, maximum: 8))
    /// Half-width of the band in powers of two when the formula has no prediction interval, and
    /// the most the band may reach either side of the prediction (a wide interval would bring
    /// back the full grid).
    static let minimumHalfWidth = 1
    static let maximumHalfWidth = 2
    /// How far beyond the band the far points lie, in powers of two.
    static let farStep = 2

    /// The plan for a machine with `features` running `pypyVersion`.
    ///
    /// - Parameters:
    ///   - report: the served formula's report; nil before the first fit (full grid).
    ///   - intervals: the served formula's prediction intervals by class description or
    ///     ``PredictionInterval/globalKey`` (``PredictionInterval/intervals(for:on:)``).
    public static func plan(
        features: MachineFeatures, pypyVersion: String?, report: FitReport?, intervals: [String: PredictionInterval]
    ) -> SweepPlan {
        let defaultBytes = PyPyDefaultRule.nurseryBytes(version: pypyVersion, features: features)
        guard let report else {
            return SweepPlan(
                basis: .fullGrid, nurseries: NurserySize.sweepGrid, predictedBytes: nil, band: nil,
                pypyDefaultBytes: defaultBytes, stopping: .adaptiveDefault)
        }
        let recommendation = report.recommend(for: features, pypyVersion: pypyVersion)
        let gridLog2 = NurserySize.sweepGrid.map(exponent)
        let lowest = gridLog2.min()!
        let highest = gridLog2.max()!
        let center = min(
            highest, max(lowest, exponent(NurserySize.snapToPowerOfTwo(Double(recommendation.formulaBytes)))))
        var low = center - minimumHalfWidth
        var high = center + minimumHalfWidth
        let key = recommendation.hardwareClass?.description ?? PredictionInterval.globalKey
        if let interval = intervals[key] ?? intervals[PredictionInterval.globalKey] {
            let bounds = interval.bounds(around: recommendation.formulaBytes)
            low = max(center - maximumHalfWidth, min(low, exponent(bounds.lower)))
            high = min(center + maximumHalfWidth, max(high, exponent(bounds.upper)))
        }
        // At a grid end the band keeps its width on the side that exists, so the best still has
        // neighbours to be resolved against.
        if low < lowest { (low, high) = (lowest, min(highest, high + lowest - low)) }
        if high > highest { (low, high) = (max(lowest, low - (high - highest)), highest) }
        var sizes = Set(low...high)
        for far in [low - farStep, high + farStep] { sizes.insert(min(highest, max(lowest, far))) }
        let nurseries = sizes.sorted().map { Int64(1) << Int64($0) }
        return SweepPlan(
            basis: .formula, nurseries: nurseries, predictedBytes: recommendation.formulaBytes,
            band: (Int64(1) << Int64(low))...(Int64(1) << Int64(high)), pypyDefaultBytes: defaultBytes,
            stopping: plannedStopping)
    }

    /// log2 of a power of two.
    static func exponent(_ bytes: Int64) -> Int { Int64.bitWidth - 1 - bytes.leadingZeroBitCount }
}
