import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Robust estimators with known answers")
struct RobustRegressionTests {
    @Test("weighted least squares recovers an exact line; a weight acts as a multiplicity")
    func leastSquares() throws {
        let xs = (0..<10).map(Double.init)
        let design = xs.map { [1, $0] }
        let beta = try #require(
            RobustRegression.weightedLeastSquares(
                design: design, response: xs.map { 2 + 3 * $0 }, weights: Array(repeating: 1, count: 10)))
        #expect(isClose(beta[0], 2, tolerance: 1e-9) && isClose(beta[1], 3, tolerance: 1e-9))
        // Location: the weighted mean; weight 3 on the value 10 is three copies of it.
        let location = try #require(
            RobustRegression.weightedLeastSquares(
                design: [[1], [1], [1]], response: [1, 2, 10], weights: [1, 1, 3]))
        #expect(isClose(location[0], (1 + 2 + 30) / 5.0))
        // Rows with a NaN response or a weight that is not positive are ignored.
        let ignored = try #require(
            RobustRegression.weightedLeastSquares(
                design: [[1], [1], [1], [1]], response: [1, 3, .nan, 100], weights: [1, 1, 1, 0]))
        #expect(isClose(ignored[0], 2))
        #expect(RobustRegression.weightedLeastSquares(design: [[1]], response: [1], weights: [0]) == nil)
    }

    @Test("Huber location of 1, 2, 3, 4, 100 at scale 1 is 3: the outlier pulls by k only")
    func huberLocation() throws {
        let fit = try #require(
            RobustRegression.huber(
                design: Array(repeating: [1.0], count: 5), response: [1, 2, 3, 4, 100],
                weights: Array(repeating: 1, count: 5), tuning: 1.345, scale: 1))
        // Σ ψ(yᵢ − μ) = 0 with ψ clipped at ±1.345: −1.345 − 1 + 0 + 1 + 1.345 = 0 at μ = 3.
        #expect(isClose(fit.coefficients[0], 3, tolerance: 1e-6))
        #expect(isClose(fit.robustnessWeights[4], 1.345 / 97, tolerance: 1e-6))
        #expect(fit.robustnessWeights[2] == 1)
        // Least squares would say 22.
        let mean = try #require(
            RobustRegression.weightedLeastSquares(
                design: Array(repeating: [1.0], count: 5), response: [1, 2, 3, 4, 100],
                weights: Array(repeating: 1, count: 5)))
        #expect(isClose(mean[0], 22))
    }

    @Test("least trimmed squares ignores a third of the weight lying consistently")
    func trimmedLine() throws {
        let honest = (0..<30).map(Double.init)
        var design = honest.map { [1, $0] }
        var response = honest.map { 1 + 2 * $0 }
        // A group claiming 100 whatever x: a third of the rows, a straight line of its own.
        for x in stride(from: 0.0, to: 30, by: 2) {
            design.append([1, x])
            response.append(100)
        }
        let weights = [Double](repeating: 1, count: response.count)
        var generator = SplitMix64(seed: 9)
        let fit = try #require(
            RobustRegression.leastTrimmedSquares(
                design: design, response: response, weights: weights, coverage: 0.6, using: &generator))
        #expect(isClose(fit.coefficients[0], 1, tolerance: 1e-6) && isClose(fit.coefficients[1], 2, tolerance: 1e-6))
        #expect(fit.robustnessWeights[30...].allSatisfy { $0 == 0 })
        #expect(fit.residuals[30...].allSatisfy { $0 > 40 })
        let ols = try #require(
            RobustRegression.weightedLeastSquares(design: design, response: response, weights: weights))
        #expect(abs(ols[1] - 2) > 0.5)
        // Capping the liars' weight to a tenth of theirs changes nothing in what is found.
        var capped = weights
        for i in 30..<capped.count { capped[i] = 0.1 }
        var again = SplitMix64(seed: 9)
        let cappedFit = try #require(
            RobustRegression.leastTrimmedSquares(
                design: design, response: response, weights: capped, coverage: 0.6, using: &again))
        #expect(isClose(cappedFit.coefficients[1], 2, tolerance: 1e-6))
    }

    @Test("the weighted median treats a weight as a multiplicity")
    func weightedMedian() {
        #expect(RobustRegression.weightedMedian([3, 1, 2], weights: [1, 1, 1]) == 2)
        #expect(RobustRegression.weightedMedian([4, 1, 3, 2], weights: [1, 1, 1, 1]) == 2.5)
        #expect(RobustRegression.weightedMedian([1, 2], weights: [1, 3]) == 2)
        #expect(
            RobustRegression.weightedMedian([1, 5, 9], weights: [1, 2, 1])
                == RobustRegression.weightedMedian([1, 5, 5, 9], weights: [1, 1, 1, 1]))
        #expect(RobustRegression.weightedMedian([1, 7, .nan], weights: [1, 1, 5]) == 4)
        #expect(RobustRegression.weightedMedian([1], weights: [0]).isNaN)
    }

    @Test("the robust scale estimates σ of normal residuals and ignores a fifth of wild ones")
    func robustScale() {
        var generator = SplitMix64(seed: 4)
        let clean = (0..<20_000).map { _ in 2 * generator.nextGaussian() }
        let weights = [Double](repeating: 1, count: 25_000)
        let contaminated = clean + [Double](repeating: 50, count: 5_000)
        let plain = RobustRegression.scale(residuals: clean, weights: Array(weights.prefix(20_000)))
        let robust = RobustRegression.scale(residuals: contaminated, weights: weights)
        #expect(abs(plain / 2 - 1) < 0.03)
        // The wild fifth inflates the median of |r| (it becomes the 62.5th percentile of the
        // honest |r|); the truncated second step takes most of that back.
        #expect(abs(robust / 2 - 1) < 0.15)
        #expect(RobustRegression.scale(residuals: [0, 0, 0], weights: [1, 1, 1]) == 0)
        #expect(RobustRegression.scale(residuals: [.nan], weights: [1]).isNaN)
    }
}

@Suite("Origin cap and screening")
struct RobustWeightingTests {
    static func curve(_ machine: String, origin: String?, vendor: String = "GenuineIntel", weight: Double = 1)
        -> FitCurve
    {
        var c = handCurve(
            machine: machine, model: "m",
            features: MachineFeatures(l2Bytes: mib, l3Bytes: 32 * mib, physicalCores: 4, procs: 1, cpuVendor: vendor),
            times: [1.3, 1.2, 1.1, 1.0, 0.9, 0.95, 1.0, 1.05, 1.1])
        c.weight = weight
        c.origin = origin
        return c
    }

    @Test("one origin counts for at most cap machines per class; nil origins and other classes are untouched")
    func originCap() {
        var curves = (0..<5).map { Self.curve("a\($0)", origin: "block-a") }
        // The same machine's second curve counts once.
        curves.append(Self.curve("a0", origin: "block-a"))
        curves += (0..<2).map { Self.curve("b\($0)", origin: "block-a", vendor: "AuthenticAMD") }
        curves += (0..<4).map { Self.curve("n\($0)", origin: nil) }
        // An install-capped group of six at 0.5 each weighs 3: scaled to 2, proportions kept.
        curves += (0..<6).map { Self.curve("c\($0)", origin: "block-c", weight: 0.5) }
        let (capped, groups, removed) = RobustWeighting.capOrigins(curves, cap: 2)
        #expect(groups == 2)
        #expect(isClose(removed, 3 + 1))
        #expect(capped[0..<6].allSatisfy { isClose($0.weight, 0.4) })
        #expect(capped[6..<8].allSatisfy { $0.weight == 1 })
        #expect(capped[8..<12].allSatisfy { $0.weight == 1 })
        #expect(capped[12..<18].allSatisfy { isClose($0.weight, 1.0 / 3) })
        #expect(RobustWeighting.capOrigins(curves, cap: 10).cappedGroups == 0)
    }

    @Test("screening flags the machines far from the trimmed regression, and only them")
    func screening() throws {
        let simulator = PopulationSimulator(seed: 5_051)
        let honest = simulator.machines(count: 60).flatMap(\.fitCurves)
        let fakes = simulator.fakeMachines(count: 6).flatMap(\.fitCurves)
        let report = RobustWeighting.screen(
            honest + fakes, options: RobustFitOptions(), flatTolerance: 0.02, ridge: 1e-3)
        #expect(report.screened)
        let flagged = Set(report.flagged.map(\.machineID))
        let fakeIDs = Set(fakes.map(\.machineID))
        print(
            "screening: flagged \(flagged.intersection(fakeIDs).count)/\(fakeIDs.count) fakes, \(flagged.subtracting(fakeIDs).count) honest; scale \(report.scale)"
        )
        #expect(flagged.subtracting(fakeIDs).count <= 2)
        #expect(flagged.intersection(fakeIDs).count >= 4)
        let scale = try #require(report.scale)
        #expect(scale >= 0.25 && scale < 0.8)
        #expect(report.flagged.map(\.score) == report.flagged.map(\.score).sorted(by: >))
        // Too few curves: nothing is screened.
        let small = RobustWeighting.screen(
            Array(honest.prefix(5)), options: RobustFitOptions(), flatTolerance: 0.02, ridge: 1e-3)
        #expect(!small.screened && small.flagged.isEmpty)
    }

    @Test("flagged machines are left out of the fit, not out of the input; off means the old fit to the bit")
    func applied() throws {
        let simulator = PopulationSimulator(seed: 5_051)
        let curves =
            simulator.machines(count: 40).flatMap(\.fitCurves) + simulator.fakeMachines(count: 8).flatMap(\.fitCurves)
        let input = FitInput(curves: curves)
        let report = FormulaSelection.fit(input)
        let screening = try #require(report.screening)
        #expect(screening.flaggedMachines > 0)
        // Evidence counts the flagged machines' curves (data the fit looked at); their worth is 0.
        #expect(report.evidence.curves == curves.count)
        #expect(report.evidence.skippedCurves == 0)
        let weighted = try #require(report.evidence.weightedMachines)
        #expect(weighted <= Double(report.evidence.machines - screening.flaggedMachines) + 1e-9)
        #expect(report.global.heldOutRegret.curves <= curves.count - screening.flaggedCurves)

        var off = FitConfiguration()
        off.robust = nil
        let plain = FormulaSelection.fit(input, configuration: off)
        #expect(plain.screening == nil)
        #expect(plain.evidence.curves == curves.count)
        // Without origins, a robust fit with every layer off is the plain fit.
        var inert = FitConfiguration()
        inert.robust = RobustFitOptions()
        inert.robust?.originCap = nil
        inert.robust?.screeningCutoff = nil
        inert.robust?.huberTuning = nil
        inert.robust?.regretCap = nil
        let same = FormulaSelection.fit(input, configuration: inert)
        #expect(same.global == plain.global && same.candidates == plain.candidates)
    }

    @Test("reports and inputs stored before robustness decode: no screening, robustness off, no origin")
    func oldStoredForms() throws {
        let report = FormulaSelection.fit(FitInput(curves: Array(Population.input.curves.prefix(60))))
        #expect(report.screening != nil)
        let encoded = try WireCoding.makeEncoder().encode(report)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        #expect(object["screening"] != nil)
        object["screening"] = nil
        var configuration = try #require(object["configuration"] as? [String: Any])
        configuration["robust"] = nil
        object["configuration"] = configuration
        let old = try WireCoding.makeDecoder().decode(
            FitReport.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(old.screening == nil)
        #expect(old.configuration.robust == nil)
        #expect(old.global == report.global)
        // The new form round-trips, flags included.
        let again = try WireCoding.makeDecoder().decode(FitReport.self, from: encoded)
        #expect(again.screening?.flagged == report.screening?.flagged)
        #expect(again.configuration == report.configuration)

        let curve = Self.curve("m", origin: "block")
        var curveObject = try #require(
            try JSONSerialization.jsonObject(with: try WireCoding.makeEncoder().encode(curve)) as? [String: Any])
        #expect(curveObject["origin"] as? String == "block")
        curveObject["origin"] = nil
        let oldCurve = try WireCoding.makeDecoder().decode(
            FitCurve.self, from: try JSONSerialization.data(withJSONObject: curveObject))
        #expect(oldCurve.origin == nil && oldCurve.machineID == "m")
    }
}
