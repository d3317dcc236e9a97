import CrowdspeedCore
import Foundation
import Testing

@testable import CrowdspeedFit

/// The per-input expected gain: how the training curves rise away from the formula's answer.
@Suite struct GainProfileTests {
    /// A one-round curve over 256K…64M whose relative time is 1 + 0.05·(log2(n) − log2(optimum))².
    static func bowl(optimum: Int64) -> Curve {
        let sizes = (18...26).map { Int64(1) << $0 }
        let ratios = sizes.map { 1 + 0.05 * pow(log2(Double($0)) - log2(Double(optimum)), 2) }
        return Curve(nurseries: sizes, roundIDs: [0], roundRatios: ratios)
    }

    @Test("a formula that hits every optimum gains the curves' own rise at the distance, on both sides")
    func exactFormula() throws {
        let curves = (0..<10).map { _ in (curve: Self.bowl(optimum: 4 * mib), predictedBytes: 4 * mib, weight: 1.0) }
        let profile = try #require(GainProfile.tabulate(curves))
        #expect(profile.curves == 10)
        for distance in [-3.0, -2.0, -1.0, 1.0, 2.0] {
            let gain = profile.gain(atDistance: distance)
            let expected = 0.05 * distance * distance
            #expect(isClose(gain.mean, expected, tolerance: 1e-9), "\(distance): \(gain)")
            #expect(isClose(gain.p10, expected, tolerance: 1e-9))
            #expect(isClose(gain.p90, expected, tolerance: 1e-9))
        }
        let zero = profile.gain(atDistance: 0)
        #expect(zero.mean == 0 && zero.p10 == 0 && zero.p90 == 0)
        // Half-way between tabulated offsets: linear between them; the offset −2.5 itself lies
        // between measured sizes, where the curve is linear in log2 (0.45 and 0.2 → 0.325).
        let between = profile.gain(atDistance: -2.25)
        #expect(isClose(between.mean, (0.2 + 0.325) / 2, tolerance: 1e-9))
    }

    @Test("when the formula misses some optima toward the default, the lower end of the gain drops below zero")
    func missedOptima() throws {
        // Eight curves peak where the formula says (8M); two peak at 1M, where PyPy's default is.
        let curves =
            (0..<8).map { _ in (curve: Self.bowl(optimum: 8 * mib), predictedBytes: 8 * mib, weight: 1.0) }
            + (0..<2).map { _ in (curve: Self.bowl(optimum: 1 * mib), predictedBytes: 8 * mib, weight: 1.0) }
        let profile = try #require(GainProfile.tabulate(curves))
        // The default lies 3 steps below the answer.
        let gain = profile.gain(atDistance: -3)
        #expect(gain.mean > 0, "most machines gain: \(gain)")
        #expect(gain.p90 > 0.4)
        #expect(gain.p10 < 0, "the machines whose best is the default lose: \(gain)")
        // Weights count: the same two curves weighing nothing leave no loser.
        let weighted = curves.enumerated().map { index, entry in
            (curve: entry.curve, predictedBytes: entry.predictedBytes, weight: index >= 8 ? 0.0 : 1.0)
        }
        #expect(try #require(GainProfile.tabulate(weighted)).gain(atDistance: -3).p10 > 0)
    }

    @Test("recommend: keep_default follows the lower end of the input's own gain; reports without profiles fall back")
    func recommendUsesProfile() throws {
        var report = Population.report
        let features = MachineFeatures(
            l2Bytes: 1 << 20, l3Bytes: 32 << 20, physicalCores: 8, procs: 2, arch: "x86_64", cpuVendor: "AuthenticAMD")
        let profiles = try #require(report.gainProfiles)
        #expect(profiles[PredictionInterval.globalKey] != nil)
        let advice = report.recommend(for: features, pypyVersion: "7.3.11")
        guard case .distance(let distance, _) = advice.expectedGainBasis else {
            Issue.record("expected a distance basis: \(advice.expectedGainBasis)")
            return
        }
        #expect(isClose(distance, log2(Double(advice.pypyDefaultBytes)) - log2(Double(advice.formulaBytes))))
        #expect(advice.keepDefault == (advice.formula.family == .pypyDefault || !(advice.expectedGain.p10 > 0)))
        report.gainProfiles = nil
        let old = report.recommend(for: features, pypyVersion: "7.3.11")
        #expect(old.expectedGainBasis == .population)
        #expect(old.expectedGain == old.gainOverDefault)
    }
}
