import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Stored forms")
struct CodingTests {
    @Test("curves with missing ratios and reports with NaN regrets survive the wire encoder")
    func roundTrip() throws {
        let c = Curve(
            nurseries: [mib, 2 * mib], roundIDs: [0, 1], roundRatios: [0.9, .nan, 1.1, 1.2],
            defaultNurseryBytes: 4 * mib)
        let data = try WireCoding.makeEncoder().encode(c)
        let decoded = try WireCoding.makeDecoder().decode(Curve.self, from: data)
        #expect(
            decoded.nurseries == c.nurseries && decoded.roundIDs == c.roundIDs
                && decoded.defaultNurseryBytes == c.defaultNurseryBytes)
        #expect(decoded.roundRatios[1].isNaN)
        #expect(isClose(decoded.relativeTime[0], 1.0) && isClose(decoded.relativeTime[1], 1.2))

        let empty = FormulaSelection.fit(FitInput(curves: []))
        let reportData = try WireCoding.makeEncoder().encode(empty)
        let report = try WireCoding.makeDecoder().decode(FitReport.self, from: reportData)
        #expect(report.global.heldOutRegret.mean.isNaN)
        let full = try WireCoding.makeDecoder().decode(
            FitReport.self, from: try WireCoding.makeEncoder().encode(Population.report))
        #expect(full.global.formula == Population.report.global.formula)
        #expect(full.global.heldOutRegret == Population.report.global.heldOutRegret)
    }

    @Test("synthetic submissions can be kept out of a fit")
    func sources() {
        let submissions = Population.machines.prefix(3).map(\.submission)
        #expect(FitInput(submissions: submissions, sources: [.agent, .import]).curves.isEmpty)
        #expect(!FitInput(submissions: submissions).curves.isEmpty)
    }
}
