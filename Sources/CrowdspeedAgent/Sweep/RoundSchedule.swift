import CrowdspeedCore

/// The seeded order of points in each round. Round 0 is the warm-up whose samples are thrown
/// away (first runs pay for cold page caches and CPU frequency ramps); measured rounds follow.
public struct RoundSchedule: Sendable {
    public let points: [SweepPoint]
    public let seed: UInt64
    /// Rounds run before measuring, and discarded.
    public let warmupRounds: Int

    public init(points: [SweepPoint], seed: UInt64, warmupRounds: Int = 1) {
        self.points = points
        self.seed = seed
        self.warmupRounds = warmupRounds
    }

    /// Every point exactly once, shuffled. Each round has its own generator derived from the seed,
    /// so a round's order does not depend on how many rounds ran before it.
    public func order(round: Int) -> [SweepPoint] {
        var generator = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: round) &* 0xD1B5_4A32_D192_ED03))
        var shuffled = points
        // Fisher–Yates with the generator's own bounded draw, identical on every platform
        // (the standard library's `shuffle(using:)` algorithm is not promised to stay the same).
        if shuffled.count > 1 {
            for index in stride(from: shuffled.count - 1, to: 0, by: -1) {
                shuffled.swapAt(index, generator.below(index + 1))
            }
        }
        return shuffled
    }

    /// Whether samples of this schedule round are discarded.
    public func isWarmup(round: Int) -> Bool { round < warmupRounds }

    /// The wire `round` of a sample taken in schedule round `round` (measured rounds count from 0),
    /// or nil for a warm-up round.
    public func measuredIndex(round: Int) -> Int? { isWarmup(round: round) ? nil : round - warmupRounds }
}
