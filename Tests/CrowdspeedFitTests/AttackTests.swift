import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

/// Populations with planted attacks, fitted with and without the robust layers, scored on
/// unseen honest machines' true curves (``AttackScenario``). Computed once per test process.
enum AttackBench {
    /// Three independent populations: one seed alone would let luck pass or fail a target.
    static let seeds: [UInt64] = [1_017, 2_029, 3_041]
    static let fractions: [Double] = [0, 0.3, 1]
    static let training = 120
    static let unseen = 60

    struct Row {
        var seed: UInt64
        var fraction: Double
        var robust: Bool
        var outcome: AttackScenario.Outcome
    }

    static let rows: [Row] = seeds.flatMap { seed in
        let simulator = PopulationSimulator(seed: seed)
        let honest = simulator.machines(count: training)
        let unseenMachines = (training..<training + unseen).map { simulator.machine(at: $0) }
        let allFakes = simulator.fakeMachines(count: training)
        return fractions.flatMap { fraction in
            let fakes = Array(allFakes.prefix(Int((fraction * Double(training)).rounded())))
            return [false, true].map { robust in
                var configuration = FitConfiguration()
                if !robust {
                    // Today's fit: no robust layers, and the class margin it had.
                    configuration.robust = nil
                    configuration.classMargin = 0
                }
                return Row(
                    seed: seed, fraction: fraction, robust: robust,
                    outcome: AttackScenario.run(
                        honest: honest, fakes: fakes, unseen: unseenMachines, grid: simulator.grid,
                        configuration: configuration))
            }
        }
    }

    /// Mean over seeds of `value` for one setting.
    static func mean(fraction: Double, robust: Bool, _ value: (AttackScenario.Outcome) -> Double) -> Double {
        Stats.mean(rows.filter { $0.fraction == fraction && $0.robust == robust }.map { value($0.outcome) })
    }

    static func printTable() {
        for row in rows {
            let o = row.outcome
            print(
                String(
                    format: "attack seed %llu fakes %3.0f%% robust %@: served %.4f pypy %.4f best-const %.4f "
                        + "(%@) flagged fakes %d/%d honest %d; chose %@",
                    row.seed, row.fraction * 100, row.robust ? "yes" : "no ", o.served, o.pypyDefault,
                    o.bestConstant, o.report.baselines.first { $0.name == "best_constant" }?.formula.description ?? "-",
                    o.flaggedFakes, o.fakes, o.flaggedHonest, o.report.global.formula.description))
        }
        for fraction in fractions {
            for robust in [false, true] {
                print(
                    String(
                        format: "attack mean fakes %3.0f%% robust %@: served %.4f pypy %.4f best-const %.4f",
                        fraction * 100, robust ? "yes" : "no ", mean(fraction: fraction, robust: robust) { $0.served },
                        mean(fraction: fraction, robust: robust) { $0.pypyDefault },
                        mean(fraction: fraction, robust: robust) { $0.bestConstant }))
            }
        }
    }
}

@Suite("Planted attacks: fake machines with fresh tokens from a handful of networks")
struct AttackTests {
    @Test("the simulated attack is what the issue describes: plausible, fresh, from few origins, favouring 64M")
    func attackShape() throws {
        let simulator = PopulationSimulator(seed: 1_017)
        let fakes = simulator.fakeMachines(count: 40)
        let honest = simulator.machines(count: 40)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(fakes.allSatisfy { $0.isFake && $0.submission.validationIssues(now: now).isEmpty })
        #expect(honest.allSatisfy { !$0.isFake })
        #expect(Set(fakes.map(\.origin)).count == AttackOptions().originBlocks)
        #expect(Set(honest.map(\.origin)).count == honest.count)
        #expect(Set(fakes.map(\.submission.machine.machineID)).count >= 38)
        var measuredAtTop = 0
        var curves = 0
        for fake in fakes {
            for curve in fake.fitCurves {
                // Every fake claim's best size is the largest, whatever the hardware; measured
                // with noise on a flat top, 16M or more and mostly 32M or more.
                let claim = fake.trueCurve(procs: curve.features.procs, grid: simulator.grid)
                let claimed = try #require(BestNurseryEstimator.argmin(claim.relativeTime))
                #expect(claim.nurseries[claimed] == 64 * mib)
                let best = try #require(BestNurseryEstimator.argmin(curve.curve.relativeTime))
                #expect(curve.curve.nurseries[best] >= 16 * mib)
                measuredAtTop += curve.curve.nurseries[best] >= 32 * mib ? 1 : 0
                curves += 1
                #expect(curve.origin == fake.origin && curve.weight == 1)
            }
            // Ordinary CPU time at the default setting: within the honest machines' range.
            let defaults = fake.submission.results.filter { $0.params.nurseryBytes == nil && $0.params.procs == 1 }
            let median = Median.of(defaults.flatMap(\.samples).map(\.cpuMs)) ?? .nan
            #expect((1200...3000).contains(median))
        }
        #expect(Double(measuredAtTop) >= 0.8 * Double(curves))
    }

    @Test("the default population is unchanged by the attack options: honest machines draw what they drew")
    func honestUnchanged() {
        let simulator = PopulationSimulator(seed: 20_261_125)
        let plain = simulator.machine(at: 5)
        #expect(FitCurve.curves(from: plain.submission).map(\.curve) == plain.fitCurves.map(\.curve))
        #expect(plain.fitCurves.allSatisfy { $0.origin == plain.origin })
        var pooled = SimulationOptions()
        pooled.honestOrigins = 3
        let shared = PopulationSimulator(seed: 20_261_125, options: pooled).machines(count: 30)
        #expect(Set(shared.map(\.origin)).count <= 3)
        #expect(shared[5].submission == plain.submission)
    }

    @Test("held-out regret on unseen machines' true curves: the robust fit holds the targets under attack")
    func targets() {
        AttackBench.printTable()
        let cleanBefore = AttackBench.mean(fraction: 0, robust: false) { $0.served }
        let cleanAfter = AttackBench.mean(fraction: 0, robust: true) { $0.served }
        let thirty = AttackBench.mean(fraction: 0.3, robust: true) { $0.served }
        let equal = AttackBench.mean(fraction: 1, robust: true) { $0.served }
        let equalUndefended = AttackBench.mean(fraction: 1, robust: false) { $0.served }
        let pypy = AttackBench.mean(fraction: 0, robust: true) { $0.pypyDefault }
        // Clean data: no worse than the fit without robustness (a tenth of a point of slack).
        #expect(cleanAfter <= cleanBefore + 0.001)
        // As many fakes as real machines: within 1.5× of the clean fit's regret.
        #expect(equal <= 1.5 * cleanAfter)
        #expect(thirty <= 1.5 * cleanAfter)
        // The attack is real: undefended, it costs more than the target allows.
        #expect(equalUndefended > 1.5 * cleanBefore)
        #expect(equal < pypy / 4)
        for row in AttackBench.rows where row.robust && row.fraction == 1 {
            // Per seed too, with more slack: no population may be carried away.
            #expect(row.outcome.served <= 2 * cleanAfter, "seed \(row.seed)")
        }
    }

    @Test(
        "screening flags most fakes that contradict their hardware and few honest machines; flagged machines are listed"
    )
    func screeningFlags() throws {
        for row in AttackBench.rows where row.robust {
            let screening = try #require(row.outcome.report.screening)
            #expect(screening.screened)
            #expect(screening.flaggedMachines == screening.flagged.count)
            // False alarms: at most 3% of the honest training machines.
            #expect(Double(row.outcome.flaggedHonest) <= 0.03 * Double(AttackBench.training), "seed \(row.seed)")
            if row.fraction > 0 {
                #expect(Double(row.outcome.flaggedFakes) >= 0.5 * Double(row.outcome.fakes), "seed \(row.seed)")
                // The fakes come from 4 blocks: capped in every hardware class they used.
                #expect(screening.cappedOrigins > 0 && screening.weightRemovedByOriginCap > 0)
                let top = try #require(screening.flagged.first)
                #expect(top.measuredLog2Optimum > top.expectedLog2Optimum + 1)
            }
        }
        for row in AttackBench.rows where !row.robust { #expect(row.outcome.report.screening == nil) }
    }
}
