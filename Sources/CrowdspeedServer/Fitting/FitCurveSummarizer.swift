import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// The server's ``CurveSummarizer``: combines a machine's curves of one key and estimates the
/// best nursery with CrowdspeedFit's bootstrap.
///
/// The bootstrap is seeded from the machine key (FNV-1a of its fields), so the same data always
/// gives the same interval: a page reload, a re-ingest into a fresh database and a test all see
/// the same numbers.
public struct FitCurveSummarizer: CurveSummarizer {
    /// Bootstrap resamples per estimate.
    public var replicates: Int
    /// Nominal coverage of the interval.
    public var confidence: Double

    /// Creates a summarizer; the defaults are CrowdspeedFit's.
    public init(replicates: Int = 400, confidence: Double = 0.95) {
        self.replicates = replicates
        self.confidence = confidence
    }

    /// Summarizes `curves`, all of one machine key.
    public func summarize(_ curves: [StoredCurve]) -> MachineCurveSummary {
        let curve = CurveCombiner.combine(curves.map(\.aggregate))
        var generator = SplitMix64(seed: curves.first.map { Self.seed($0.machineKey) } ?? 0)
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
            submissionCount: Set(curves.map(\.submissionID)).count, roundCount: curve.roundCount,
            defaultNurseryBytes: curve.defaultNurseryBytes,
            points: curve.points.map {
                MachineCurvePoint(nurseryBytes: $0.nurseryBytes, relativeTime: $0.relativeTime, rounds: $0.rounds)
            },
            best: best, flatSet: estimate.flatSet, defaultInFlatSet: estimate.defaultIsInFlatSet, gainOverDefault: gain)
    }

    /// A stable 64-bit seed for `key` (FNV-1a over its fields).
    static func seed(_ key: MachineCurveKey) -> UInt64 {
        let text = [
            key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion,
            String(key.procs), key.pypyGCMinPinned ? "pinned" : "coupled",
        ].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
