import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Nursery drift across versions")
struct NurseryDriftTests {
    static let arm = HardwareClass(arch: "aarch64", cpuVendor: "ARM")

    @Test("a planted doubling of the optimum on ARM in 7.3.17 is found there and only there")
    func plantedShift() throws {
        var options = VersionedSimulationOptions()
        options.effects = [
            VersionEffect(version: "7.3.17", hardwareClass: Self.arm, benchmark: "gcbench", optimumShiftLog2: 1)
        ]
        let submissions = VersionedPopulationSimulator(seed: 41, options: options).submissions(count: 240)
        let curves = FitInput(submissions: submissions).curves
        var rng = SplitMix64(seed: 42)
        let drift = NurseryDrift.estimate(curves: curves, from: "7.3.16", to: "7.3.17", replicates: 1000, using: &rng)
        #expect(drift.rows.first?.hardwareClass == nil)
        for row in drift.rows {
            print(
                "drift \(row.hardwareClass?.description ?? "all"): \(row.machines) machines, median \(row.medianShiftLog2) [\(row.lower), \(row.upper)], up \(row.up) down \(row.down) same \(row.unchanged)"
            )
            #expect(row.up + row.down + row.unchanged == row.machines)
        }
        let armRow = try #require(drift.rows.first { $0.hardwareClass == Self.arm })
        #expect(armRow.machines >= 15)
        #expect(armRow.lower > 0)
        #expect(abs(armRow.medianShiftLog2 - 1) <= 0.5)
        #expect(armRow.up > armRow.down)
        for hardwareClass in ["GenuineIntel", "AuthenticAMD"].map({ HardwareClass(arch: "x86_64", cpuVendor: $0) }) {
            let row = try #require(drift.rows.first { $0.hardwareClass == hardwareClass })
            #expect(row.lower <= 0 && 0 <= row.upper, "\(hardwareClass)")
            #expect(abs(row.medianShiftLog2) < 0.5)
        }
    }

    @Test("only machines with curves in both versions count; the API form has snake_case keys")
    func pairingAndCoding() throws {
        let features = MachineFeatures(l2Bytes: 1 << 20, l3Bytes: 32 << 20, physicalCores: 4, procs: 1)
        let grid: [Int64] = (20...24).map { Int64(1) << Int64($0) }
        func curve(_ machine: String, _ version: String, best: Int) -> FitCurve {
            let times = grid.indices.map { $0 == best ? 0.9 : 1.0 + 0.01 * Double($0) }
            return FitCurve(
                machineID: machine, cpuModel: "x", features: features, interpreterVersion: version,
                workload: "gcbench@1", curve: Curve(nurseries: grid, roundIDs: [0], roundRatios: times))
        }
        let curves = [
            curve("a", "7.3.16", best: 1), curve("a", "7.3.17", best: 3), // +2
            curve("b", "7.3.16", best: 2), curve("b", "7.3.17", best: 2), // 0
            curve("c", "7.3.16", best: 0), curve("c", "7.3.17", best: 1), // +1
            curve("d", "7.3.17", best: 4), // unpaired
        ]
        var rng = SplitMix64(seed: 1)
        let drift = NurseryDrift.estimate(curves: curves, from: "7.3.16", to: "7.3.17", using: &rng)
        let overall = try #require(drift.rows.first)
        #expect(overall.machines == 3)
        #expect(overall.medianShiftLog2 == 1)
        #expect(overall.up == 2 && overall.unchanged == 1 && overall.down == 0)
        #expect(overall.machineIDs == ["a", "b", "c"])
        #expect(overall.lower == 0 && overall.upper == 2)
        let json = String(decoding: try JSONEncoder().encode(drift), as: UTF8.self)
        #expect(json.contains(#""median_shift_log2":1"#))
        #expect(json.contains(#""hardware_class":null"#))
        let decoded = try JSONDecoder().decode(NurseryDrift.self, from: try JSONEncoder().encode(drift))
        #expect(decoded == drift)
    }
}
