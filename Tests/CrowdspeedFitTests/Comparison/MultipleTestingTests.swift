import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Benjamini–Hochberg")
struct MultipleTestingTests {
    @Test("adjusted p-values by hand: m·p₍ᵢ₎/i, made monotone from the top, in the input's order")
    func handExample() {
        // Sorted: 0.005 (1), 0.01 (2), 0.03 (3), 0.04 (4); m·p/i = 0.02, 0.02, 0.04, 0.04.
        let result = MultipleTesting.benjaminiHochberg([0.01, 0.04, 0.03, 0.005], q: 0.05)
        let expected = [0.02, 0.04, 0.04, 0.02]
        for (a, b) in zip(result.adjusted, expected) { #expect(isClose(a, b)) }
        #expect(result.rejected == [true, true, true, true])
        #expect(result.tested == 4)
        let stricter = MultipleTesting.benjaminiHochberg([0.01, 0.04, 0.03, 0.005], q: 0.03)
        #expect(stricter.rejected == [true, false, false, true])
    }

    @Test("step-up: a p-value above its own bound is rejected when a larger one passes")
    func stepUp() {
        // Bounds at q = 0.02, m = 2: 0.01 and 0.02. 0.011 fails its own but 0.012 passes.
        let result = MultipleTesting.benjaminiHochberg([0.012, 0.011], q: 0.02)
        #expect(result.rejected == [true, true])
        #expect(isClose(result.adjusted[0], 0.012) && isClose(result.adjusted[1], 0.012))
        // Bonferroni-like single test: p = 0.03 with m = 3 others at 1 is adjusted to 0.09.
        let lone = MultipleTesting.benjaminiHochberg([1, 0.03, 1], q: 0.05)
        #expect(isClose(lone.adjusted[1], 0.09))
        #expect(lone.rejected == [false, false, false])
    }

    @Test("NaN is left out of the family: neither counted, adjusted nor rejected")
    func untested() {
        let result = MultipleTesting.benjaminiHochberg([0.01, .nan, 0.04], q: 0.05)
        #expect(result.tested == 2)
        #expect(result.adjusted[1].isNaN)
        #expect(!result.rejected[1])
        // m = 2: 0.01·2/1 = 0.02, 0.04·2/2 = 0.04.
        #expect(isClose(result.adjusted[0], 0.02) && isClose(result.adjusted[2], 0.04))
        #expect(MultipleTesting.benjaminiHochberg([], q: 0.05).tested == 0)
    }

    @Test("agrees with the definition on random families: reject the k smallest, k the largest with p₍ₖ₎ ≤ kq/m")
    func definition() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let m = 1 + random.below(30)
            let p = (0..<m).map { _ in pow(random.nextUnit(), 3) }
            let q = 0.1
            let sorted = p.sorted()
            var k = 0
            for rank in 1...m where sorted[rank - 1] <= Double(rank) * q / Double(m) { k = rank }
            let threshold: Double = k > 0 ? sorted[k - 1] : -1
            let result = MultipleTesting.benjaminiHochberg(p, q: q)
            #expect(result.rejected == p.map { $0 <= threshold })
            #expect(zip(p, result.adjusted).allSatisfy { $1 >= $0 && $1 <= 1 })
        }
    }
}
