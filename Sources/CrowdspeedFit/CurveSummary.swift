import CrowdspeedCore
import Foundation

extension MachineCurveSummary {
    /// Summarizes `curve` (a machine key's combined curve, see ``CurveCombiner``) with the
    /// seeded bootstrap of ``BestNurseryEstimator``.
    ///
    /// - Parameters:
    ///   - curve: the combined curve.
    ///   - submissionCount: how many submissions contributed to it.
    ///   - seed: the bootstrap's seed; derive it from the machine key so that the same data always
    ///     gives the same interval (a reload, a re-ingest into a fresh database, a test).
    ///   - replicates: bootstrap resamples.
    ///   - confidence: nominal coverage of the interval.
    /// - Returns: the summary; without points there is no best and no gain.
    public static func summarize(
        _ curve: Curve, submissionCount: Int, seed: UInt64, replicates: Int = 400, confidence: Double = 0.95
    ) -> MachineCurveSummary {
        var generator = SplitMix64(seed: seed)
        let estimate = BestNurseryEstimator.estimate(
            curve, replicates: replicates, confidence: confidence, using: &generator)
        let best = estimate.bestNurseryBytes.map { bytes in
            BestNursery(
                nurseryBytes: bytes, relativeTime: estimate.bestRelativeTime,
                intervalLowerBytes: estimate.interval?.lowerBytes,
                intervalUpperBytes: estimate.interval?.upperBytes, confidence: estimate.interval?.confidence)
        }
        let gain =
            estimate.bestRelativeTime.isFinite && estimate.bestRelativeTime > 0
            ? max(0, 1 / estimate.bestRelativeTime - 1) : nil
        return MachineCurveSummary(
            submissionCount: submissionCount, roundCount: curve.roundCount,
            defaultNurseryBytes: curve.defaultNurseryBytes,
            points: curve.points.map {
                MachineCurvePoint(nurseryBytes: $0.nurseryBytes, relativeTime: $0.relativeTime, rounds: $0.rounds)
            },
            best: best, flatSet: estimate.flatSet, defaultInFlatSet: estimate.defaultIsInFlatSet, gainOverDefault: gain)
    }
}

extension MachineCurveSummary {
    /// The relative time at `bytes` on this summary's points (PyPy's default at 1.0 when its size
    /// is known), interpolated in log2 and clamped like ``Curve/relativeTime(atNursery:)``; NaN
    /// without points.
    public func relativeTime(atNursery bytes: Int64) -> Double {
        // One "round" whose ratios are the medians: the curve's medians are then the points.
        let curve = Curve(
            nurseries: points.map(\.nurseryBytes), roundIDs: [0], roundRatios: points.map(\.relativeTime),
            defaultNurseryBytes: defaultNurseryBytes)
        return curve.relativeTime(atNursery: Double(bytes))
    }
}
