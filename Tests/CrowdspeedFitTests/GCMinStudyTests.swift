import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

/// The PYPY_GC_MIN study: pinned curves compared with the same machines' ordinary ones.
@Suite("PYPY_GC_MIN study")
struct GCMinStudyTests {
    /// A one-round curve over 1M and 4M whose best point is `best` (relative to the default's 1).
    static func curve(_ machine: String, best: Double, procs: Int = 1, weight: Double = 1) -> FitCurve {
        FitCurve(
            machineID: machine, cpuModel: "EPYC",
            features: MachineFeatures(
                l2Bytes: 512 << 10, l3Bytes: 32 << 20, physicalCores: 8, procs: procs, arch: "x86_64",
                cpuVendor: "AuthenticAMD"),
            interpreterVersion: "7.3.17", workload: "gcbench@1",
            curve: Curve(nurseries: [1 << 20, 4 << 20], roundIDs: [0], roundRatios: [0.99, best]), weight: weight)
    }

    @Test("pairs by machine, version, workload and procs; medians of the best size's gain; the share that remains")
    func compare() throws {
        let ordinary = [
            Self.curve("a", best: 0.90), Self.curve("b", best: 0.80), Self.curve("c", best: 0.95),
            Self.curve("a", best: 0.85, procs: 2),
        ]
        let pinned = [
            Self.curve("a", best: 0.96), Self.curve("b", best: 0.90),
            // No ordinary counterpart (procs 4): counted, not paired.
            Self.curve("a", best: 0.5, procs: 4),
            // Weight 0 (e.g. quarantined through the install cap): ignored.
            Self.curve("c", best: 0.5, weight: 0),
        ]
        let study = GCMinStudy.compare(pinned: pinned, ordinary: ordinary)
        #expect(study.pinnedCurves == 3 && study.pinnedMachines == 2)
        #expect(study.pairs == 2 && study.pairedMachines == 2)
        let ordinaryGain = try #require(study.ordinaryGain)
        let pinnedGain = try #require(study.pinnedGain)
        // Medians of 1/0.90 − 1 and 1/0.80 − 1, and of 1/0.96 − 1 and 1/0.90 − 1.
        #expect(abs(ordinaryGain - (1 / 0.9 - 1 + 1 / 0.8 - 1) / 2) < 1e-12)
        #expect(abs(pinnedGain - (1 / 0.96 - 1 + 1 / 0.9 - 1) / 2) < 1e-12)
        #expect(abs(try #require(study.remainingShare) - pinnedGain / ordinaryGain) < 1e-12)
    }

    @Test("without pinned curves there is nothing to compare, and the report decodes without the study")
    func empty() throws {
        let study = GCMinStudy.compare(pinned: [], ordinary: [Self.curve("a", best: 0.9)])
        #expect(study.pairs == 0 && study.ordinaryGain == nil && study.remainingShare == nil)
        let decoded = try JSONDecoder().decode(GCMinStudy.self, from: JSONEncoder().encode(study))
        #expect(decoded == study)
    }
}
