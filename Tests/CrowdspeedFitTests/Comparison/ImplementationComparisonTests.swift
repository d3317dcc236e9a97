import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("PyPy against CPython, paired")
struct ImplementationComparisonTests {
    @Test("the simulated implementation factors (dumps ×0.6, loads ×1.3) are recovered per JSON benchmark")
    func speedups() throws {
        var options = VersionedSimulationOptions()
        options.measureNurseryGrid = false
        let histories = VersionedPopulationSimulator(seed: 51, options: options).histories(count: 120)
        let statistics = MachineStatistic.statistics(from: histories.flatMap(\.submissions))
        var rng = SplitMix64(seed: 52)
        let comparison = ImplementationComparison.compare(statistics, using: &rng)
        #expect(comparison.baseline == "newest CPython" && comparison.candidate == "newest PyPy")
        #expect(comparison.rows.allSatisfy { $0.benchmark.hasPrefix("json.") })
        let overall = comparison.rows.filter { $0.hardwareClass == nil }
        #expect(overall.count == 8)
        for row in overall {
            let truth = row.benchmark == "json.dumps" ? 0.6 : 1.3
            #expect(row.machines >= 60)
            #expect(row.lower <= truth && truth <= row.upper, "\(row.key): \(row.lower)…\(row.upper)")
            #expect(row.verdict == (truth < 1 ? .improvement : .regression))
            let speedup = row.speedupInterval
            #expect(speedup.lower <= 1 / truth && 1 / truth <= speedup.upper)
        }
        // Machines without CPython do not count: every row's machines ran both.
        let both = Set(
            histories.filter { $0.interpreters.contains { $0.isImplementation("CPython") } }.map(\.machine.machineID))
        #expect(comparison.rows.allSatisfy { Set($0.machineIDs).isSubset(of: both) })
    }
}
