import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Per-class evidence")
struct ClassEvidenceTests {
    @Test("every class gets its real counts, small ones too; exactly the eligible ones are fitted")
    func countsForEveryClass() throws {
        var configuration = FitConfiguration()
        configuration.classMinMachines = 30
        let report = FormulaSelection.fit(Population.input, configuration: configuration)
        let evidence = try #require(report.classEvidence)
        #expect(evidence.map(\.hardwareClass) == evidence.map(\.hardwareClass).sorted())
        #expect(evidence.reduce(0) { $0 + $1.curves } == report.evidence.curves)
        #expect(evidence.reduce(0) { $0 + $1.machines } == report.evidence.machines)
        #expect(evidence.allSatisfy { $0.machines > 0 && $0.curves >= $0.machines && $0.cpuModels > 0 })
        #expect(evidence.contains { !$0.eligible }, "the population should have a class below 30 machines")
        #expect(Set(evidence.filter(\.eligible).map(\.hardwareClass)) == Set(report.classes.map(\.hardwareClass)))
        for fit in report.classes {
            let counts = try #require(evidence.first { $0.hardwareClass == fit.hardwareClass })
            #expect(counts.machines == fit.machines && counts.curves == fit.curves && counts.cpuModels == fit.cpuModels)
        }
        // Each class counts exactly the curves of its own machines.
        for counts in evidence {
            let curves = Population.input.curves.filter { $0.features.hardwareClass == counts.hardwareClass }
            #expect(counts.curves == curves.count)
            #expect(counts.machines == Set(curves.map(\.machineID)).count)
        }
    }
}
