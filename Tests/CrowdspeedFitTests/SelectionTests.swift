import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Formula selection by held-out regret")
struct SelectionTests {
    @Test("on 200 simulated machines the chosen formula comes close to the truth and far below PyPy's rule")
    func simulatedPopulation() throws {
        let report = Population.report
        let pypy = try #require(report.baselines.first { $0.name == "pypy_default" })
        let bestConstant = try #require(report.baselines.first { $0.name == "best_constant" })
        // "Truth" = each curve's true optimum (snapped to a power of two) scored on the same
        // measured curves: what knowing the ground truth would achieve under this noise.
        let truthRegret = Stats.mean(
            Population.truthPairs.map { pair in
                pair.curve.curve.regret(
                    ofNursery: NurserySize.snapToPowerOfTwo(pair.machine.trueOptimum(procs: pair.curve.features.procs)!)
                )
            })
        // On noiseless curves the true grid optimum has regret 0 by definition; the chosen
        // formula's regret there is its pure model error.
        let grid = Population.simulator.grid
        let noiseless = Stats.mean(
            Population.truthPairs.map { pair in
                let truth = pair.machine.trueCurve(procs: pair.curve.features.procs, grid: grid)
                return truth.regret(ofNursery: report.global.formula.predict(pair.curve.features))
            })
        let chosen = report.global.heldOutRegret.mean
        print(
            """
            population: chosen \(report.global.name) [\(report.global.formula)] held-out \(chosen) p90 \(report.global.heldOutRegret.p90) \
            split \(report.global.splitRegret ?? .nan); truth \(truthRegret); noiseless \(noiseless); \
            pypy \(pypy.heldOutRegret.mean); best constant \(bestConstant.formula) \(bestConstant.heldOutRegret.mean); \
            noise floor \(report.noiseFloor ?? .nan); evidence \(report.evidence)
            """)
        for candidate in report.candidates {
            print(
                "  candidate \(candidate.name): \(candidate.heldOutRegret.mean) split \(candidate.splitRegret ?? .nan)")
        }
        #expect(report.isHeldOut)
        #expect(chosen < truthRegret + 0.02)
        #expect(noiseless < 0.02)
        #expect(chosen < pypy.heldOutRegret.mean / 4)
        // Relative bounds: the simulated curves are calibrated to the one measured real curve
        // (+42% at 8× below the optimum), so absolute gaps shrink when that calibration does.
        #expect(chosen < bestConstant.heldOutRegret.mean / 2)
        #expect(report.global.gainOverDefault.mean > 0.05)
        let floor = try #require(report.noiseFloor)
        #expect(floor > 0 && floor < 0.05)
        #expect(report.evidence.curves == Population.truthPairs.count)
        #expect(report.evidence.cpuModels >= 15)
        #expect(report.evidence.skippedCurves == 0)
        #expect(Set(report.baselines.map(\.name)) == ["pypy_default", "constant_4M", "constant_8M", "best_constant"])
        #expect(Set(report.candidates.map(\.name)) == Set(FormulaFamily.fitted.map(\.rawValue)))
    }

    @Test("recommendations come from the served formula, with PyPy's default and the training range")
    func recommendation() throws {
        let report = Population.report
        let epyc = MachineFeatures(
            l2Bytes: 512 * kib, l3Bytes: 32 * mib, physicalCores: 2, procs: 1, cpuVendor: "AuthenticAMD")
        let advice = report.recommend(for: epyc, pypyVersion: "7.3.11")
        #expect(advice.pypyDefaultBytes == mib)
        #expect(!advice.keepDefault)
        #expect(advice.nurseryBytes == report.global.formula.predict(epyc))
        #expect(advice.nurseryBytes >= 4 * mib)
        #expect(advice.insideTrainingRange)
        #expect(advice.environmentValue == NurserySize.format(advice.nurseryBytes))
        let huge = MachineFeatures(l2Bytes: 64 * mib, l3Bytes: 2 << 30, physicalCores: 512, procs: 1)
        #expect(!report.recommend(for: huge, pypyVersion: "7.3.17").insideTrainingRange)
    }

    @Test("one machine: a formula is fitted but its regret is flagged in-sample")
    func oneMachine() {
        let machine = PopulationSimulator(seed: 5).machine(at: 3)
        let report = FormulaSelection.fit(FitInput(submissions: [machine.submission]))
        #expect(report.evidence.machines == 1)
        #expect(report.evidence.cpuModels == 1)
        #expect(!report.isHeldOut)
        #expect(report.global.heldOutRegret.mean.isFinite)
        #expect(report.classes.isEmpty)
    }

    @Test("only default runs: nothing to fit, keep the default")
    func onlyDefaultRuns() {
        let features = MachineFeatures(l2Bytes: mib, l3Bytes: 32 * mib, physicalCores: 4, procs: 1)
        let empty = FitCurve(
            machineID: "m-1", cpuModel: "x", features: features, interpreterVersion: "7.3.17", workload: "gcbench@1",
            curve: curve([(0, nil, 100), (1, nil, 99)]))
        let report = FormulaSelection.fit(FitInput(curves: [empty]))
        #expect(report.evidence.skippedCurves == 1)
        #expect(report.evidence.curves == 0)
        #expect(report.global.formula.family == .pypyDefault)
        #expect(report.global.heldOutRegret.mean.isNaN)
        #expect(report.trainingRange == nil)
        let advice = report.recommend(for: features, pypyVersion: "7.3.17")
        #expect(advice.keepDefault)
        #expect(advice.nurseryBytes == PyPyDefaultRule.nurseryBytes(version: "7.3.17", features: features))
        #expect(FormulaSelection.fit(FitInput(curves: [])).evidence.curves == 0)
    }

    @Test("flat curves: no formula beats keeping the default, so none is chosen")
    func flatCurves() {
        let curves = (0..<12).map { i in
            handCurve(
                machine: "m-\(i)", model: "model \(i % 4)",
                features: MachineFeatures(l2Bytes: mib, l3Bytes: Int64(8 + i) * mib, physicalCores: 4 + i, procs: 1),
                times: [Double](repeating: 1, count: 9))
        }
        let report = FormulaSelection.fit(FitInput(curves: curves))
        #expect(report.global.formula.family == .pypyDefault)
        #expect(isClose(report.global.heldOutRegret.mean, 0))
        #expect(report.recommend(for: curves[0].features, pypyVersion: "7.3.17").keepDefault)
    }

    @Test("when the optimum ignores the hardware, no cache formula is chosen over a constant")
    func constantTruth() {
        var options = SimulationOptions()
        options.fixedOptimumBytes = Double(8 * mib)
        options.machineEffect = 0.1
        let machines = PopulationSimulator(seed: 31, options: options).machines(count: 120)
        let report = FormulaSelection.fit(FitInput(submissions: machines.map(\.submission)))
        print(
            "constant truth: chose \(report.global.name) \(report.global.formula) \(report.global.heldOutRegret.mean)")
        #expect(["constant_8M", "constant"].contains(report.global.name))
        #expect(
            report.global.formula.predict(
                MachineFeatures(l2Bytes: mib, l3Bytes: 256 * mib, physicalCores: 64, procs: 1)) == 8 * mib)
    }

    @Test("a class gets its own formula only when it beats the global one out of sample")
    func classFormula() throws {
        var options = SimulationOptions()
        options.vendorOptimumShift = ["ARM": 1.5]
        let machines = PopulationSimulator(seed: 41, options: options).machines(count: 300)
        let report = FormulaSelection.fit(FitInput(submissions: machines.map(\.submission)))
        let arm = try #require(
            report.classes.first { $0.hardwareClass == HardwareClass(arch: "aarch64", cpuVendor: "ARM") })
        print(
            "class ARM: own \(arm.evaluation.heldOutRegret.mean) vs global \(arm.globalRegret.mean), accepted \(arm.accepted)"
        )
        #expect(arm.accepted)
        #expect(arm.evaluation.heldOutRegret.mean < arm.globalRegret.mean)
        #expect(arm.machines >= report.configuration.classMinMachines)
        let features = MachineFeatures(
            l2Bytes: mib, l3Bytes: 32 * mib, physicalCores: 16, procs: 1, arch: "aarch64", cpuVendor: "ARM")
        let advice = report.recommend(for: features, pypyVersion: "7.3.17")
        #expect(advice.hardwareClass == arm.hardwareClass)
        #expect(advice.nurseryBytes == arm.evaluation.formula.predict(features))
        // In the unshifted population no class earns its own formula.
        #expect(Population.report.classes.allSatisfy { !$0.accepted })
        #expect(!Population.report.classes.isEmpty)
    }

    @Test("machines without an L3 are fitted and inside the training range")
    func noL3() throws {
        let range = try #require(Population.report.trainingRange)
        #expect(range.curvesWithoutL3 > 0)
        let l3 = try #require(range.l3Bytes)
        #expect(l3.lowerBound <= 2 * mib && l3.upperBound >= 256 * mib)
        #expect(range.l2Bytes == 256 * kib...2 * mib)
        #expect(range.procs.lowerBound == 1 && range.physicalCores.upperBound <= 64)
        let pi = MachineFeatures(
            l2Bytes: mib, l3Bytes: nil, physicalCores: 4, procs: 1, arch: "aarch64", cpuVendor: "ARM")
        #expect(range.contains(pi))
        let advice = Population.report.recommend(for: pi, pypyVersion: "7.3.17")
        #expect((64 * kib...1 << 30).contains(advice.nurseryBytes))
        #expect(advice.nurseryBytes.nonzeroBitCount == 1)
    }
}
