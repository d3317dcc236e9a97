@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Student's t p-values")
struct StudentTTests {
    @Test("one and two degrees of freedom have closed forms", arguments: [0.0, 0.3, 1, 2.5, 12.706, 40])
    func closedForms(t: Double) {
        // df = 1 (Cauchy): p = 1 − (2/π)·atan|t|; df = 2: p = 1 − |t|/√(2 + t²).
        let one = StudentT.twoSidedPValue(t: t, degreesOfFreedom: 1)
        #expect(isClose(one, 1 - 2 / Double.pi * atan(abs(t)), tolerance: 1e-12))
        let two = StudentT.twoSidedPValue(t: -t, degreesOfFreedom: 2)
        #expect(isClose(two, 1 - abs(t) / (2 + t * t).squareRoot(), tolerance: 1e-12))
    }

    @Test("textbook critical values give their p-values; many degrees of freedom give the normal's")
    func criticalValues() {
        #expect(isClose(StudentT.twoSidedPValue(t: 2.228139, degreesOfFreedom: 10), 0.05, tolerance: 1e-6))
        #expect(isClose(StudentT.twoSidedPValue(t: 2.570582, degreesOfFreedom: 5), 0.05, tolerance: 1e-6))
        #expect(isClose(StudentT.twoSidedPValue(t: 3.355387, degreesOfFreedom: 8), 0.01, tolerance: 1e-6))
        #expect(isClose(StudentT.twoSidedPValue(t: 1.959964, degreesOfFreedom: 1e6), 0.05, tolerance: 1e-6))
        // Normal tail far out: 2·Φ(−6) = 1.973e-9 (t with 10⁶ degrees of freedom is within 0.1% of it).
        #expect(isClose(StudentT.twoSidedPValue(t: 6, degreesOfFreedom: 1e6) / 1.973175e-9, 1, tolerance: 1e-3))
    }

    @Test("edges: t = 0 gives 1, ±∞ gives 0, bad inputs give NaN")
    func edges() {
        #expect(StudentT.twoSidedPValue(t: 0, degreesOfFreedom: 7) == 1)
        #expect(StudentT.twoSidedPValue(t: .infinity, degreesOfFreedom: 7) == 0)
        #expect(StudentT.twoSidedPValue(t: .nan, degreesOfFreedom: 7).isNaN)
        #expect(StudentT.twoSidedPValue(t: 1, degreesOfFreedom: 0).isNaN)
        #expect(StudentT.regularizedIncompleteBeta(x: 1.5, a: 1, b: 1).isNaN)
        // I_x(1, 1) = x.
        #expect(isClose(StudentT.regularizedIncompleteBeta(x: 0.37, a: 1, b: 1), 0.37))
    }
}
