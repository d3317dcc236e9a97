import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable generator with a full 2⁶⁴
/// period, shared by the agent (the shuffled order of a sweep's rounds) and the fit (bootstrap,
/// simulator). Its output is the same on every platform and Swift version, unlike
/// `SystemRandomNumberGenerator`, so a recorded seed reproduces a sweep or a fit bit for bit.
///
/// Not cryptographic; statistically good enough for shuffling, resampling and simulation.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The generator's whole state.
    public private(set) var state: UInt64

    /// Creates a generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 uniformly distributed bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for an independent sub-stream, e.g. one per simulated machine, so that item `i`
    /// of a population does not depend on how many items were drawn before it.
    ///
    /// - Parameters:
    ///   - seed: the parent seed.
    ///   - stream: the sub-stream index.
    public static func stream(seed: UInt64, index stream: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }

    /// A uniform integer in `0..<bound` without modulo bias, by rejecting the biased tail. Written
    /// out rather than `Int.random(in:using:)`, whose algorithm the standard library may change,
    /// so that a recorded seed keeps meaning the same order.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0)
        let limit = UInt64.max - UInt64.max % UInt64(bound)
        while true {
            let value = next()
            if value < limit { return Int(value % UInt64(bound)) }
        }
    }
}

extension RandomNumberGenerator {
    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal variate (Box–Muller; one of the pair is discarded for simplicity).
    public mutating func nextGaussian() -> Double {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - nextUnit()
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
