@testable import CrowdspeedPipeline
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Testing

/// The stored form of formulas: missing numbers are written as null, and formulas stored by
/// earlier versions, which spelled them as strings, still read.
@Suite("Stored formulas")
struct StoredFormulaCodingTests {
    /// An empty fit's report as versions before the null convention stored it (bytes of such a
    /// version's encoder): the split regret and the noise floor not a number, spelled "NaN".
    static let reportBeforeNull = #"""
        {"baselines":[{"formula":{"family":"pypy_default","log2Factor":0,"maxBytes":1073741824,\#
        "minBytes":65536},"gainOverDefault":{},"heldOutRegret":{"curves":0},"name":"pypy_default"}],\#
        "candidates":[],"classEvidence":[],"classes":[],"configuration":{"classMargin":0.001,\#
        "classMinMachines":8,"families":["constant","k_l2","k_l3_per_procs","k_l3_per_cores","log_linear"],\#
        "fixedConstants":[4194304,8388608],"flatTolerance":0.02,"log2FactorGrid":[-8,-7.75,-7.5,-7.25,-7,\#
        -6.75,-6.5,-6.25,-6,-5.75,-5.5,-5.25,-5,-4.75,-4.5,-4.25,-4,-3.75,-3.5,-3.25,-3,-2.75,-2.5,-2.25,-2,\#
        -1.75,-1.5,-1.25,-1,-0.75,-0.5,-0.25,0,0.25,0.5,0.75,1,1.25,1.5,1.75,2,2.25,2.5,2.75,3,3.25,3.5,3.75,\#
        4,4.25,4.5,4.75,5,5.25,5.5,5.75,6,6.25,6.5,6.75,7,7.25,7.5,7.75,8],"range":[65536,1073741824],\#
        "ridge":0.001,"robust":{"huberTuning":1.345,"minimumScale":0.25,"originCap":2,"regretCap":0.15,\#
        "screeningCutoff":3.5,"screeningMinCurves":60,"seed":1548674079,"trimmedCoverage":0.6,\#
        "trimmedStarts":20},"simplicityMargin":0.001},"evidence":{"cpuModels":0,"curves":0,\#
        "hardwareClasses":0,"machines":0,"skippedCurves":0,"weightedMachines":0},\#
        "global":{"formula":{"family":"pypy_default","log2Factor":0,"maxBytes":1073741824,"minBytes":65536},\#
        "gainOverDefault":{},"heldOutRegret":{"curves":0},"name":"pypy_default","splitRegret":"NaN"},\#
        "isHeldOut":false,"noiseFloor":"NaN","screening":{"cappedOrigins":0,"flagged":[],"flaggedCurves":0,\#
        "screened":false,"screenedMachines":0,"weightRemovedByOriginCap":0}}
        """#

    /// Prediction intervals with infinite ends, as those versions spelled them.
    static let intervalsBeforeNull =
        #"{"global":{"coverage":0.8,"curves":3,"log2_lower":"-Infinity","log2_upper":"+Infinity"}}"#

    static func stored(report: String, intervals: String) -> StoredFormula {
        StoredFormula(
            summary: FormulaSummary(
                version: 1, createdAt: Date(timeIntervalSince1970: 1_795_000_000), scope: .real, sources: "agent",
                inputSubmissions: 0,
                metrics: FormulaMetrics(
                    globalName: "pypy_default", globalText: "PyPy's rule", heldOutRegret: nil, pypyDefaultRegret: nil,
                    bestConstantRegret: nil, noiseFloor: nil, gainOverDefault: nil, machines: 0, curves: 0,
                    cpuModels: 0),
                fitMilliseconds: 1),
            reportJSON: report, intervalsJSON: intervals)
    }

    @Test("a formula stored with NaN and the infinities spelled as strings still decodes")
    func beforeNull() throws {
        #expect(Self.reportBeforeNull.contains(#""noiseFloor":"NaN""#))
        let formula = try FittedFormula(
            stored: Self.stored(report: Self.reportBeforeNull, intervals: Self.intervalsBeforeNull))
        #expect(formula.report.noiseFloor?.isNaN == true)
        #expect(formula.report.global.splitRegret?.isNaN == true)
        #expect(formula.report.global.heldOutRegret.mean.isNaN)
        #expect(formula.report.global.formula.family == .pypyDefault)
        #expect(formula.intervals["global"]?.log2Lower == -.infinity)
        #expect(formula.intervals["global"]?.log2Upper == .infinity)
    }

    @Test("missing numbers are written as null or left out, never spelled, and read back")
    func writesNull() throws {
        // An empty fit: regrets and gains of no curves, no split, no noise floor.
        let report = FormulaSelection.fit(FitInput(curves: []))
        let text = String(decoding: try FittedFormula.encoder().encode(report), as: UTF8.self)
        #expect(!text.contains("NaN") && !text.contains("Infinity"), "\(text)")
        let formula = try FittedFormula(stored: Self.stored(report: text, intervals: "{}"))
        #expect(formula.report.global.heldOutRegret.mean.isNaN)
        #expect(formula.report.noiseFloor == nil && formula.report.global.splitRegret == nil)

        // A NaN in a field with no null form is refused, not given a spelling.
        var unspellable = report
        unspellable.evidence.weightedMachines = .nan
        #expect(throws: EncodingError.self) { try FittedFormula.encoder().encode(unspellable) }
    }
}
