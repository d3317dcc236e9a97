import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Paired comparisons")
struct PairedComparatorTests {
    static let amd = HardwareClass(arch: "x86_64", cpuVendor: "AuthenticAMD")
    static let intel = HardwareClass(arch: "x86_64", cpuVendor: "GenuineIntel")
    static let key = BenchmarkKey(
        benchmark: "gcbench", benchmarkVersion: "1", params: ComparisonParams(procs: 1, nursery: .default))
    static let old = InterpreterKey(implementation: "PyPy", version: "7.3.16")
    static let new = InterpreterKey(implementation: "PyPy", version: "7.3.17")

    /// Statistics for `machines` machines of `hardwareClass`: 1000 ms in 7.3.16 and
    /// 1000·ratio·(1 ± 0.5% noise) in 7.3.17.
    static func statistics(
        _ prefix: String, _ hardwareClass: HardwareClass, machines: Int, ratio: Double, noise: inout SplitMix64
    ) -> [MachineStatistic] {
        (0..<machines).flatMap { index -> [MachineStatistic] in
            let id = "\(prefix)\(index)"
            let base = 800 + 400 * noise.nextUnit()
            return [
                MachineStatistic(
                    machineID: id, hardwareClass: hardwareClass, interpreter: old, key: key, cpuMs: base, samples: 5),
                MachineStatistic(
                    machineID: id, hardwareClass: hardwareClass, interpreter: new, key: key,
                    cpuMs: base * ratio * exp(0.005 * noise.nextGaussian()), samples: 5),
            ]
        }
    }

    @Test("a 6% regression on AMD only: the AMD row is a regression, Intel is unchanged, the overall row rests on both")
    func classRegression() throws {
        var noise = SplitMix64(seed: 1)
        let data =
            Self.statistics("a", Self.amd, machines: 12, ratio: 1.06, noise: &noise)
            + Self.statistics("i", Self.intel, machines: 12, ratio: 1.0, noise: &noise)
        var rng = SplitMix64(seed: 2)
        let comparison = VersionComparison.compare(
            data, implementation: "pypy", from: "7.3.16", to: "7.3.17", using: &rng)
        #expect(comparison.rows.map(\.hardwareClass) == [nil, Self.amd, Self.intel])
        let overall = comparison.rows[0]
        let amd = comparison.rows[1]
        let intel = comparison.rows[2]
        #expect(overall.machines == 24 && amd.machines == 12 && intel.machines == 12)
        #expect(amd.verdict == .regression)
        #expect(isClose(amd.ratio, 1.06, tolerance: 0.005))
        #expect(amd.lower > 1.05 && amd.upper < 1.07)
        #expect(intel.verdict == .noChange)
        #expect(intel.lower < 1 && intel.upper > 1)
        // The overall geometric mean is √1.06 ≈ 1.0296: a regression too, half the size.
        #expect(isClose(overall.ratio, 1.06.squareRoot(), tolerance: 0.004))
        #expect(amd.machineIDs == (0..<12).map { "a\($0)" }.sorted())
        #expect(comparison.method.contains("Benjamini–Hochberg"))
    }

    @Test("only machines that measured both versions count")
    func onlyPaired() {
        var noise = SplitMix64(seed: 3)
        var data = Self.statistics("a", Self.amd, machines: 8, ratio: 1.0, noise: &noise)
        // Ten machines that measured only the new version, all very slow: they must not matter.
        for index in 0..<10 {
            data.append(
                MachineStatistic(
                    machineID: "only\(index)", hardwareClass: Self.amd, interpreter: Self.new, key: Self.key,
                    cpuMs: 5000, samples: 5))
        }
        let pairs = PairedObservation.pair(data, from: .exactly(Self.old), to: .exactly(Self.new))
        #expect(pairs.count == 8)
        var rng = SplitMix64(seed: 4)
        let row = PairedComparator.compare(pairs, using: &rng).rows[0]
        #expect(row.machines == 8)
        #expect(isClose(row.ratio, 1, tolerance: 0.01))
    }

    @Test("below the minimum of machines: not_enough_data and no p-value, yet the ratio is shown")
    func notEnough() {
        var noise = SplitMix64(seed: 5)
        let data = Self.statistics("a", Self.amd, machines: 5, ratio: 1.5, noise: &noise)
        var rng = SplitMix64(seed: 6)
        let comparison = VersionComparison.compare(
            data, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &rng)
        for row in comparison.rows {
            #expect(row.verdict == .notEnoughData)
            #expect(row.pValue.isNaN && row.adjustedPValue.isNaN)
            #expect(isClose(row.ratio, 1.5, tolerance: 0.01))
        }
    }

    @Test("a significant change below the practical threshold is no_change")
    func belowThreshold() throws {
        var noise = SplitMix64(seed: 7)
        let data = Self.statistics("a", Self.amd, machines: 40, ratio: 1.01, noise: &noise)
        var rng = SplitMix64(seed: 8)
        let row = try #require(
            VersionComparison.compare(data, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &rng).rows
                .first)
        #expect(row.adjustedPValue < 1e-4)
        #expect(row.lower > 1)
        #expect(row.verdict == .noChange)
    }

    @Test("an improvement mirrors a regression")
    func improvement() throws {
        var noise = SplitMix64(seed: 9)
        let data = Self.statistics("i", Self.intel, machines: 10, ratio: 0.9, noise: &noise)
        var rng = SplitMix64(seed: 10)
        let rows = VersionComparison.compare(data, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &rng)
            .rows
        #expect(rows.allSatisfy { $0.verdict == .improvement && $0.upper < 1 })
        #expect(isClose(rows[0].speedup, 1 / 0.9, tolerance: 0.01))
    }

    @Test("the same data in any order gives the same comparison")
    func orderIndependent() {
        var noise = SplitMix64(seed: 11)
        let data =
            Self.statistics("a", Self.amd, machines: 9, ratio: 1.03, noise: &noise)
            + Self.statistics("i", Self.intel, machines: 7, ratio: 0.99, noise: &noise)
        var shuffler = SplitMix64(seed: 12)
        var a = SplitMix64(seed: 13)
        var b = SplitMix64(seed: 13)
        let first = VersionComparison.compare(data, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &a)
        let second = VersionComparison.compare(
            data.shuffled(using: &shuffler), implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &b)
        #expect(first == second)
    }

    @Test("the API form: snake_case keys, hardware_class null or arch/vendor, ci as [lo, hi], and back")
    func coding() throws {
        var noise = SplitMix64(seed: 14)
        let data =
            Self.statistics("a", Self.amd, machines: 6, ratio: 1.1, noise: &noise)
            + Self.statistics("i", Self.intel, machines: 1, ratio: 1.0, noise: &noise)
        var rng = SplitMix64(seed: 15)
        let comparison = VersionComparison.compare(
            data, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &rng)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = try #require(String(data: try encoder.encode(comparison), encoding: .utf8))
        #expect(json.contains(#""hardware_class":null"#))
        #expect(json.contains(#""hardware_class":"x86_64/AuthenticAMD""#))
        #expect(json.contains(#""params":{"nursery":"default","procs":1}"#))
        #expect(json.contains(#""verdict":"not_enough_data""#))
        #expect(json.contains(#""ci":null"#)) // the Intel row: one machine
        #expect(json.contains(#""benchmark_version":"1""#))
        let object = try #require(
            try JSONSerialization.jsonObject(with: try encoder.encode(comparison)) as? [String: Any])
        #expect(Set(object.keys) == ["implementation", "from", "to", "rows", "method"])
        let rows = try #require(object["rows"] as? [[String: Any]])
        #expect((rows[0]["ci"] as? [Double])?.count == 2)
        let decoded = try JSONDecoder().decode(VersionComparison.self, from: try encoder.encode(comparison))
        #expect(decoded.rows.map(\.hardwareClass) == comparison.rows.map(\.hardwareClass))
        #expect(decoded.rows.map(\.verdict) == comparison.rows.map(\.verdict))
        #expect(decoded.rows[0].lower == comparison.rows[0].lower)
        #expect(decoded.rows[2].lower.isNaN)
    }

    @Test("consecutive pairs: each version against the newest older one with enough shared machines")
    func consecutive() {
        func stat(_ machine: Int, _ version: String) -> MachineStatistic {
            MachineStatistic(
                machineID: "m\(machine)", hardwareClass: Self.amd,
                interpreter: InterpreterKey(implementation: "PyPy", version: version), key: Self.key, cpuMs: 1000,
                samples: 5)
        }
        // 7.3.9 and 7.3.11 share 6 machines; 7.3.11 and 7.3.16 only 2; 7.3.9 and 7.3.16 share 7.
        var data = (0..<6).flatMap { [stat($0, "7.3.9"), stat($0, "7.3.11")] }
        data += (6..<8).flatMap { [stat($0, "7.3.11"), stat($0, "7.3.16")] }
        data += (10..<17).flatMap { [stat($0, "7.3.9"), stat($0, "7.3.16")] }
        #expect(VersionComparison.versions(data, implementation: "PyPy") == ["7.3.9", "7.3.11", "7.3.16"])
        let pairs = VersionComparison.consecutivePairs(data, implementation: "PyPy", minimumMachines: 6)
        #expect(pairs.map(\.from) == ["7.3.9", "7.3.9"])
        #expect(pairs.map(\.to) == ["7.3.16", "7.3.11"])
    }
}
