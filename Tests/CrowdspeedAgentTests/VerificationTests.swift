import CrowdspeedCore
import Foundation
import Testing

@testable import CrowdspeedAgent

/// `crowdspeed-agent verify`'s measurement: paired rounds summarized with a known answer, and
/// real interleaved rounds on the real pypy3.
@Suite struct VerificationTests {
    @Test("the realized gain is the median paired gain; the bootstrap interval decides the verdict")
    func summary() {
        let control = Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, 100.0) })
        let faster = Verifier.summarize(
            nurseryBytes: 8 << 20, procs: 1, defaultTimes: control,
            sizedTimes: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, 80.0) }), failedSamples: 0, seed: 1)
        #expect(abs(faster.gain - 0.25) < 1e-12)
        #expect(faster.roundGains.count == 6)
        #expect(faster.lower.map { abs($0 - 0.25) < 1e-12 } == true)
        #expect(faster.verdict == "confirmed")

        let slower = Verifier.summarize(
            nurseryBytes: 8 << 20, procs: 1, defaultTimes: control,
            sizedTimes: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, 125.0) }), failedSamples: 0, seed: 1)
        #expect(abs(slower.gain - (-0.2)) < 1e-12)
        #expect(slower.verdict == "worse")

        // Half the rounds faster, half slower: the interval straddles zero.
        let mixed = Verifier.summarize(
            nurseryBytes: 8 << 20, procs: 1, defaultTimes: control,
            sizedTimes: Dictionary(uniqueKeysWithValues: (0..<6).map { ($0, $0 % 2 == 0 ? 90.0 : 110.0) }),
            failedSamples: 0, seed: 1)
        #expect(mixed.verdict == "inconclusive")
        #expect((mixed.lower ?? 1) < 0 && (mixed.upper ?? -1) > 0)

        // A round missing either point is left out; one round has no interval.
        let one = Verifier.summarize(
            nurseryBytes: 8 << 20, procs: 1, defaultTimes: [0: 100, 1: 100], sizedTimes: [1: 50], failedSamples: 1,
            seed: 1)
        #expect(one.roundGains == [1.0])
        #expect(one.lower == nil && one.verdict == "inconclusive")
    }

    @Test("interleaved rounds on the real pypy3: both points every round after a warm-up")
    func realRounds() throws {
        let environment = ProcessInfo.processInfo.environment
        let found = Interpreter.discover(extra: ["/usr/bin/pypy3"], environment: environment, searchPath: false)
        let pypy = try #require(found.first { $0.isPyPy }, "pypy3 is needed")
        let runner = PointRunner(
            interpreter: pypy, scripts: try WorkloadScripts.bundled(gcbenchDepth: 10), environment: environment)
        var seen: [Int] = []
        let result = try Verifier.run(
            nurseryBytes: 8 << 20, procs: 1, rounds: 2, seed: 42, runner: runner,
            progress: { done, _ in seen.append(done) })
        #expect(seen == [1, 2, 3])
        #expect(result.failedSamples == 0)
        #expect(result.roundGains.count == 2)
        #expect(result.gain.isFinite && result.gain > -0.9)
    }
}
