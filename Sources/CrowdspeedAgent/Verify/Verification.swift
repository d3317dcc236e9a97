import CrowdspeedCore
import Foundation

/// What `crowdspeed-agent verify` measured: PyPy's default against one nursery size in
/// interleaved rounds, and the gain that size realized.
public struct VerificationResult: Sendable, Equatable {
    /// The size tried against the default.
    public var nurseryBytes: Int64
    public var procs: Int
    /// Per measured round with both points usable: T(default) / T(size) − 1 (0.1 = the size
    /// took 10% less CPU time than the default that round).
    public var roundGains: [Double]
    /// The median of ``roundGains``; NaN without rounds.
    public var gain: Double
    /// Percentile bootstrap interval of the median (rounds resampled); nil with fewer than two rounds.
    public var lower: Double?
    public var upper: Double?
    /// Nominal coverage of the interval.
    public var confidence: Double
    /// Samples that crashed or printed no result (their rounds are left out).
    public var failedSamples: Int

    /// `confirmed` when the interval lies above zero, `worse` when below, else `inconclusive`.
    public var verdict: String {
        guard let lower, let upper else { return "inconclusive" }
        if lower > 0 { return "confirmed" }
        if upper < 0 { return "worse" }
        return "inconclusive"
    }
}

/// Interleaved A/B rounds of PyPy's default against one size, with the sweep's protocol: a
/// fresh process per sample (k together for procs = k), both points once per round in a seeded
/// shuffled order, a discarded warm-up round, CPU time (user + system) from the children's
/// rusage, paired per round so drift between rounds cancels.
public enum Verifier {
    /// The two points of a verification.
    public static func points(nurseryBytes: Int64, procs: Int) -> [SweepPoint] {
        [.gcbench(nurseryBytes: nil, procs: procs), .gcbench(nurseryBytes: nurseryBytes, procs: procs)]
    }

    /// Runs `rounds` measured rounds (after one warm-up) with `runner`.
    ///
    /// - Parameters:
    ///   - isInterrupted: checked between samples; the rounds finished so far are summarized.
    ///   - progress: called after each round with (round done, rounds in all).
    public static func run(
        nurseryBytes: Int64, procs: Int, rounds: Int, seed: UInt64, runner: PointRunner,
        isInterrupted: () -> Bool = { false }, progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> VerificationResult {
        let schedule = RoundSchedule(points: points(nurseryBytes: nurseryBytes, procs: procs), seed: seed)
        var defaultTimes: [Int: Double] = [:]
        var sizedTimes: [Int: Double] = [:]
        var failed = 0
        let total = rounds + schedule.warmupRounds
        measuring: for round in 0..<total {
            for point in schedule.order(round: round) {
                if isInterrupted() { break measuring }
                let measurements = try runner.run(point)
                guard let measured = schedule.measuredIndex(round: round) else { continue }
                let usable = measurements.filter { !$0.failed && $0.cpuMs > 0 }
                failed += measurements.count - usable.count
                // The round's time is the k processes' mean, as in the curves; a round with a
                // failed process has no time for that point.
                guard usable.count == measurements.count, !usable.isEmpty else { continue }
                let mean = usable.reduce(0) { $0 + $1.cpuMs } / Double(usable.count)
                if case .gcbench(nil, _) = point {
                    defaultTimes[measured] = mean
                } else {
                    sizedTimes[measured] = mean
                }
            }
            progress(round + 1, total)
        }
        return summarize(
            nurseryBytes: nurseryBytes, procs: procs, defaultTimes: defaultTimes, sizedTimes: sizedTimes,
            failedSamples: failed, seed: seed)
    }

    /// The result from per-round CPU times (ms) of the default and of the size.
    ///
    /// - Parameters:
    ///   - defaultTimes, sizedTimes: by measured round; rounds missing either are left out.
    ///   - seed: the bootstrap's seed (the same data always give the same interval).
    ///   - replicates: bootstrap resamples.
    ///   - confidence: nominal coverage of the interval.
    public static func summarize(
        nurseryBytes: Int64, procs: Int, defaultTimes: [Int: Double], sizedTimes: [Int: Double], failedSamples: Int,
        seed: UInt64, replicates: Int = 2000, confidence: Double = 0.95
    ) -> VerificationResult {
        let gains = defaultTimes.keys.sorted().compactMap { round -> Double? in
            guard let control = defaultTimes[round], let sized = sizedTimes[round], control > 0, sized > 0,
                control.isFinite, sized.isFinite
            else { return nil }
            return control / sized - 1
        }
        var scratch = gains
        let gain = Median.inPlace(&scratch) ?? .nan
        var lower: Double?
        var upper: Double?
        if gains.count >= 2 {
            var generator = SplitMix64(seed: seed)
            var medians: [Double] = []
            medians.reserveCapacity(replicates)
            var resample = [Double](repeating: 0, count: gains.count)
            for _ in 0..<max(1, replicates) {
                for index in resample.indices { resample[index] = gains[generator.below(gains.count)] }
                if let median = Median.inPlace(&resample) { medians.append(median) }
            }
            medians.sort()
            let tail = (1 - confidence) / 2
            lower = medians[min(medians.count - 1, Int((tail * Double(medians.count)).rounded(.down)))]
            upper = medians[min(medians.count - 1, Int(((1 - tail) * Double(medians.count)).rounded(.down)))]
        }
        return VerificationResult(
            nurseryBytes: nurseryBytes, procs: procs, roundGains: gains, gain: gain, lower: lower, upper: upper,
            confidence: confidence, failedSamples: failedSamples)
    }
}

extension VerificationResult {
    /// The wire document of this result (``CrowdspeedCore/Verification``), for
    /// `POST /api/v1/verifications`.
    ///
    /// - Parameters:
    ///   - defaultNurseryBytes: PyPy's default here as the server's answer stated it, nil without one.
    ///   - sizeSource: where the size came from.
    ///   - seed, rounds: the round order's seed and the measured rounds asked for.
    public func document(
        id: UUID = UUID(), createdAt: Date = Date(), machineID: String, pypyVersion: String,
        defaultNurseryBytes: Int64?, sizeSource: Verification.SizeSource, seed: UInt64, rounds: Int
    ) -> Verification {
        Verification(
            id: id, createdAt: createdAt, agent: AgentIdentity.info, machineID: machineID, pypyVersion: pypyVersion,
            procs: procs, nurseryBytes: nurseryBytes, defaultNurseryBytes: defaultNurseryBytes,
            sizeSource: sizeSource, seed: seed, rounds: rounds, failedSamples: failedSamples, roundGains: roundGains,
            gain: gain, gainLower: lower, gainUpper: upper, confidence: confidence)
    }
}
