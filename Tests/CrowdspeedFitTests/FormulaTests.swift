import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Formulas: prediction, snapping, text, Python")
struct FormulaTests {
    let machine = MachineFeatures(l2Bytes: mib, l3Bytes: 30 * mib, physicalCores: 8, procs: 2)
    let noL3 = MachineFeatures(
        l2Bytes: mib, l3Bytes: nil, physicalCores: 4, procs: 1, arch: "aarch64", cpuVendor: "ARM")

    @Test("one-parameter families predict, snap to the nearest power of two in log2 and clamp")
    func predict() {
        #expect(Formula(family: .l3PerProcs, log2Factor: -1).predict(machine) == 8 * mib) // 7.5M → 8M
        #expect(Formula(family: .l3PerCores, log2Factor: 2).predict(machine) == 16 * mib) // 15M → 16M
        #expect(Formula(family: .l2, log2Factor: log2(11)).predict(machine) == 8 * mib) // 11M → 8M
        #expect(Formula(family: .l2, log2Factor: log2(12)).predict(machine) == 16 * mib) // 12M → 16M (above √2·8M)
        #expect(Formula.constant(4 << 30).predict(machine) == 1 << 30)
        #expect(Formula(family: .l2, log2Factor: -12).predict(machine) == 64 * kib)
        #expect(Formula.pypyDefault.predict(machine, pypyVersion: "7.3.11") == 15 * mib)
    }

    @Test("machines without an L3 use the L2 as the last-level cache")
    func withoutL3() {
        #expect(Formula(family: .l3PerProcs, log2Factor: 2).predict(noL3) == 4 * mib)
        let logLinear = Formula(
            logLinear: LogLinearCoefficients(
                intercept: 2, log2L2: 0.5, log2LLC: 0.5, noL3: 1, log2Cores: 0, log2Procs: -0.5))
        // 2 + 10 + 10 + 1 = 23 → 8M
        #expect(logLinear.predict(noL3) == 8 * mib)
        var nanFormula = logLinear
        nanFormula.logLinear?.intercept = .nan
        #expect(nanFormula.predict(noL3) == 4 * mib)
    }

    @Test("descriptions read like the rule")
    func text() {
        #expect(
            Formula(family: .l3PerProcs, log2Factor: -1).description
                == "nursery = 0.5 × L3 / procs (L2 when no L3), snapped to 2^k in 64K…1G")
        #expect(Formula.constant(8 * mib).description == "nursery = 8M")
        #expect(Formula(family: .l2, log2Factor: 0.25).description.hasPrefix("nursery = 1.19 × L2"))
    }

    @Test(
        "the Python snippet computes exactly what predict computes",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func python() throws {
        let formulas = [
            Formula(family: .l3PerProcs, log2Factor: -0.75),
            Formula(family: .l3PerCores, log2Factor: 1.5),
            Formula(family: .l2, log2Factor: 3),
            Formula.constant(8 * mib),
            Formula(
                logLinear: LogLinearCoefficients(
                    intercept: 1.8, log2L2: 0.46, log2LLC: 0.51, noL3: 0.4, log2Cores: 0.03, log2Procs: -0.51)),
        ]
        let machines = [
            machine, noL3,
            MachineFeatures(l2Bytes: 256 * kib, l3Bytes: 6 * mib, physicalCores: 4, procs: 4),
            MachineFeatures(l2Bytes: 2 * mib, l3Bytes: 384 * mib, physicalCores: 64, procs: 1),
            MachineFeatures(l2Bytes: 512 * kib, l3Bytes: 27_500 * kib, physicalCores: 2, procs: 2),
        ]
        var script = ""
        var expected: [String] = []
        for (index, formula) in formulas.enumerated() {
            script += formula.pythonSnippet(name: "f\(index)") + "\n"
            for m in machines {
                script += "print(int(f\(index)(\(m.l2Bytes), \(m.l3Bytes ?? 0), \(m.physicalCores), \(m.procs))))\n"
                expected.append(String(formula.predict(m)))
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 0)
        #expect(lines == expected)
    }

    @Test("the PyPy rule's snippet says to keep PyPy's estimate")
    func pypySnippet() {
        #expect(Formula.pypyDefault.pythonSnippet().contains("return -1"))
    }
}
