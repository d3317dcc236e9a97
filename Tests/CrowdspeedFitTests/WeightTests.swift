import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Curve weights: the install cap in the fit")
struct WeightTests {
    /// One "install" reporting 50 copies of one machine whose optimum sits at 64M, far above
    /// what its hardware predicts for everyone else: the attack the install cap exists for.
    static func flood(weight: Double) -> (curves: [FitCurve], reference: MachineFeatures) {
        var options = SimulationOptions()
        options.fixedOptimumBytes = Double(64 * mib)
        options.machineEffect = 0
        let template = PopulationSimulator(seed: 77, options: options).machine(at: 3)
        let curves = FitCurve.curves(from: template.submission)
        let copies = (0..<50).flatMap { copy in
            curves.map { curve in
                var fabricated = curve
                fabricated.machineID = "fabricated-\(copy)"
                fabricated.weight = weight
                return fabricated
            }
        }
        return (copies, curves[0].features)
    }

    /// log2 of the served formula's prediction for `features`.
    static func prediction(_ report: FitReport, _ features: MachineFeatures) -> Double {
        log2(Double(report.recommend(for: features, pypyVersion: "7.3.17").formula.predict(features)))
    }

    @Test("50 fabricated machines from one install move the chosen formula uncapped, barely when capped at 1/50 each")
    func capLimitsOneInstall() {
        let honest = Population.input.curves
        let uncapped = Self.flood(weight: 1)
        let capped = Self.flood(weight: 1.0 / 50)
        let reference = uncapped.reference
        // The install cap alone, without the robust fit (which would also stop this flood).
        var plain = FitConfiguration()
        plain.robust = nil
        let base = Self.prediction(FormulaSelection.fit(Population.input, configuration: plain), reference)
        let steered = Self.prediction(
            FormulaSelection.fit(FitInput(curves: honest + uncapped.curves), configuration: plain), reference)
        let held = Self.prediction(
            FormulaSelection.fit(FitInput(curves: honest + capped.curves), configuration: plain), reference)
        print("install cap: honest 2^\(base), uncapped 2^\(steered), capped 2^\(held)")
        #expect(abs(steered - base) >= 1, "the uncapped flood should move the prediction by a power of two or more")
        #expect(abs(held - base) <= 0.5, "one install's capped weight should not move the prediction")
        // The robust fit holds against the uncapped flood too: screening flags the copies.
        let robust = FormulaSelection.fit(FitInput(curves: honest + uncapped.curves))
        let robustBase = Self.prediction(Population.report, reference)
        print("robust fit: honest 2^\(robustBase), uncapped flood 2^\(Self.prediction(robust, reference))")
        #expect(abs(Self.prediction(robust, reference) - robustBase) <= 0.5)
        #expect((robust.screening?.flaggedMachines ?? 0) >= 40)
    }

    @Test("a curve of weight 0, negative or NaN is ignored; weight 1 everywhere changes nothing")
    func degenerateWeights() {
        let curves = Array(Population.input.curves.prefix(120))
        let plain = FormulaSelection.fit(FitInput(curves: curves))
        let explicitOnes = FormulaSelection.fit(
            FitInput(
                curves: curves.map {
                    var c = $0
                    c.weight = 1
                    return c
                }))
        #expect(plain == explicitOnes)

        var junk = Self.flood(weight: 0).curves
        for index in junk.indices { junk[index].weight = [0, -1, .nan, .infinity][index % 4] }
        let withJunk = FormulaSelection.fit(FitInput(curves: curves + junk))
        #expect(withJunk.global == plain.global)
        #expect(withJunk.evidence.curves == plain.evidence.curves)
        #expect(withJunk.evidence.skippedCurves == plain.evidence.skippedCurves + junk.count)
    }

    @Test("doubling one curve's weight is the same fit as listing it twice")
    func weightIsMultiplicity() {
        let curves = Array(Population.input.curves.prefix(90))
        var doubled = curves
        doubled[0].weight = 2
        var configuration = FitConfiguration()
        configuration.classMinMachines = 1000
        let weighted = FormulaSelection.fit(FitInput(curves: doubled), configuration: configuration)
        let repeated = FormulaSelection.fit(FitInput(curves: curves + [curves[0]]), configuration: configuration)
        #expect(weighted.global.name == repeated.global.name)
        for curve in curves {
            #expect(weighted.global.formula.predict(curve.features) == repeated.global.formula.predict(curve.features))
        }
        #expect(isClose(weighted.global.heldOutRegret.mean, repeated.global.heldOutRegret.mean, tolerance: 1e-9))
    }

    @Test("weighted quantiles equal type-7 quantiles for equal weights and follow the weight otherwise")
    func weightedQuantile() {
        let values = [3.0, 1, 4, 1, 5, 9, 2, 6, .nan]
        for p in [0, 0.1, 0.25, 0.5, 0.9, 1] {
            #expect(
                isClose(
                    Stats.weightedQuantile(values, weights: Array(repeating: 2.5, count: values.count), p),
                    Stats.quantile(values, p)))
        }
        #expect(isClose(Stats.weightedMean([1, 2, 10], weights: [1, 1, 0]), 1.5))
        #expect(Stats.weightedMean([1, 2], weights: [0, .nan]).isNaN)
        // A value carrying 98% of the weight is the median.
        #expect(isClose(Stats.weightedQuantile([1, 2, 3], weights: [1, 98, 1], 0.5), 2))
        #expect(isClose(Stats.weightedQuantile([0, 5, 10], weights: [1, 98, 1], 0.9), 5))
        #expect(isClose(Stats.weightedQuantile([0, 10], weights: [1, 99], 0.9), 10))
        // Only relative weights matter.
        #expect(
            isClose(
                Stats.weightedQuantile([1, 4, 7], weights: [3, 1, 2], 0.7),
                Stats.weightedQuantile([1, 4, 7], weights: [30, 10, 20], 0.7)))
    }
}
