import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

/// One simulated version comparison with what the simulator planted.
struct SimulatedComparison {
    var comparison: VersionComparison
    var histories: [String: SimulatedHistory]

    static let from = InterpreterKey(implementation: "PyPy", version: "7.3.16")
    static let to = InterpreterKey(implementation: "PyPy", version: "7.3.17")

    /// Simulates `machines` machines with `effects`, derives the per-machine figures from their
    /// submissions, and compares 7.3.16 with 7.3.17.
    init(seed: UInt64, machines: Int, effects: [VersionEffect], grid: Bool, replicates: Int) {
        var options = VersionedSimulationOptions()
        options.effects = effects
        options.measureNurseryGrid = grid
        let simulated = VersionedPopulationSimulator(seed: seed, options: options).histories(count: machines)
        let statistics = MachineStatistic.statistics(from: simulated.flatMap(\.submissions))
        var settings = ComparisonSettings()
        settings.replicates = replicates
        var rng = SplitMix64(seed: seed ^ 0xC0FFEE)
        comparison = VersionComparison.compare(
            statistics, implementation: "PyPy", from: Self.from.version, to: Self.to.version, settings: settings,
            using: &rng)
        histories = Dictionary(uniqueKeysWithValues: simulated.map { ($0.machine.machineID, $0) })
    }

    /// The true ratio of a row: the geometric mean of its machines' true ratios.
    func truth(_ row: ComparisonRow) -> Double {
        let logs = row.machineIDs.compactMap { histories[$0]?.trueRatio(key: row.key, from: Self.from, to: Self.to) }
            .map { log($0) }
        return exp(Stats.mean(logs))
    }

    /// Rows flagged although nothing changed for any of their machines.
    var falseAlarms: [ComparisonRow] {
        comparison.rows.filter { row in
            (row.verdict == .regression || row.verdict == .improvement) && abs(log(truth(row))) < 1e-9
        }
    }
}

@Suite("Detecting planted version effects")
struct VersionDetectionTests {
    /// Rows of a planted effect with at least this many machines must be found. Fewer machines
    /// than that are reported but not required: the per-machine log ratio scatters by 3–5%, so
    /// a 5–6% effect on 8 machines sits near the edge of what any honest test can see.
    static let poweredMachines = 15

    @Test(
        "the demo's regression (gcbench +6% on AMD) and improvement (json.dumps −5% on Intel) are found, and nothing else"
    )
    func plantedEffects() throws {
        let study = SimulatedComparison(
            seed: 2026_0514, machines: 240, effects: VersionEffect.demo, grid: true, replicates: 1000)
        let rows = study.comparison.rows
        for effect in VersionEffect.demo {
            let planted = rows.filter { $0.benchmark == effect.benchmark && $0.hardwareClass == effect.hardwareClass }
            let powered = planted.filter { $0.machines >= Self.poweredMachines }
            #expect(!powered.isEmpty)
            let expected: Verdict = effect.cpuTimeFactor > 1 ? .regression : .improvement
            for row in powered {
                #expect(
                    row.verdict == expected, "\(row.key) on \(row.hardwareClass?.description ?? "all"): \(row.verdict)")
                #expect(row.lower <= effect.cpuTimeFactor && effect.cpuTimeFactor <= row.upper, "\(row.key)")
            }
            let found = planted.filter { $0.verdict == expected }
            print(
                "planted \(effect.benchmark) ×\(effect.cpuTimeFactor) on \(effect.hardwareClass?.description ?? "all"): found in \(found.count)/\(planted.count) rows (\(powered.count) with ≥ \(Self.poweredMachines) machines), machines per row \(planted.map(\.machines))"
            )
        }
        #expect(
            study.falseAlarms.isEmpty,
            "\(study.falseAlarms.map { "\($0.key) \($0.hardwareClass?.description ?? "all")" })")
        // Rows with some planted effect in them (overall rows mix classes) never point the wrong way.
        for row in rows {
            let truth = study.truth(row)
            if row.verdict == .regression { #expect(truth > 1, "\(row.key)") }
            if row.verdict == .improvement { #expect(truth < 1, "\(row.key)") }
        }
    }

    /// Effects of exactly 3%, the smallest the detector is asked to find: gcbench on AMD and
    /// json.dumps on Intel.
    static let threePercent: [VersionEffect] = VersionEffect.demo.map { effect in
        var effect = effect
        effect.cpuTimeFactor = effect.cpuTimeFactor > 1 ? 1.03 : 0.97
        return effect
    }

    @Test("power for 3% effects over 20 populations of 200 machines, by the machines a row rests on")
    func power() {
        // Per effect: rows of its class and benchmark, bucketed by machines, found / present.
        var buckets: [String: (found: Int, rows: Int)] = [:]
        var primaryFound = 0
        var dumpsFound = 0
        var dumpsRows = 0
        let seeds = 20
        for seed in 0..<UInt64(seeds) {
            let study = SimulatedComparison(
                seed: 7_000 + seed, machines: 200, effects: Self.threePercent, grid: false, replicates: 500)
            for effect in Self.threePercent {
                let expected: Verdict = effect.cpuTimeFactor > 1 ? .regression : .improvement
                let rows = study.comparison.rows.filter {
                    $0.benchmark == effect.benchmark && $0.hardwareClass == effect.hardwareClass
                }
                for row in rows {
                    let bucket =
                        "\(effect.benchmark) " + (row.machines >= 40 ? "≥40" : row.machines >= 15 ? "15–39" : "<15")
                    var entry = buckets[bucket] ?? (0, 0)
                    entry.rows += 1
                    if row.verdict == expected { entry.found += 1 }
                    buckets[bucket] = entry
                }
                // The gcbench procs = 1 row holds every machine of the class.
                if effect.benchmark == "gcbench", rows.first(where: { $0.params.procs == 1 })?.verdict == expected {
                    primaryFound += 1
                }
                if effect.benchmark == "json.dumps" {
                    dumpsRows += rows.count
                    dumpsFound += rows.filter { $0.verdict == expected }.count
                }
            }
            #expect(study.falseAlarms.isEmpty)
        }
        for (bucket, entry) in buckets.sorted(by: { $0.key < $1.key }) {
            print("3% detection power, \(bucket) machines: \(entry.found)/\(entry.rows)")
        }
        print(
            "3% gcbench procs=1 AMD row found in \(primaryFound)/\(seeds); json.dumps Intel rows \(dumpsFound)/\(dumpsRows)"
        )
        #expect(primaryFound >= seeds * 9 / 10)
        #expect(dumpsFound * 10 >= dumpsRows * 9)
    }

    @Test("false alarms over 100 populations without any version effect stay within 5% of comparisons")
    func falseAlarms() {
        var comparisonsWithAlarm = 0
        var alarms = 0
        var tested = 0
        let seeds = 100
        for seed in 0..<UInt64(seeds) {
            let study = SimulatedComparison(
                seed: 9_000 + seed, machines: 160, effects: [], grid: false, replicates: 400)
            let flagged = study.comparison.rows.filter { $0.verdict == .regression || $0.verdict == .improvement }
            // Without effects every flagged row is a false alarm; check the truth agrees.
            #expect(flagged.count == study.falseAlarms.count)
            for row in flagged {
                print(
                    "false alarm, seed \(9_000 + seed): \(row.key) on \(row.hardwareClass?.description ?? "all"), \(row.machines) machines, ratio \(row.ratio) [\(row.lower), \(row.upper)], p \(row.pValue), adjusted \(row.adjustedPValue)"
                )
            }
            alarms += flagged.count
            if !flagged.isEmpty { comparisonsWithAlarm += 1 }
            tested += study.comparison.rows.filter { !$0.pValue.isNaN }.count
        }
        let rate = Double(comparisonsWithAlarm) / Double(seeds)
        print(
            "false alarms: \(comparisonsWithAlarm)/\(seeds) comparisons with any (\(alarms) rows of \(tested) tested rows)"
        )
        // Benjamini–Hochberg at 5% alone keeps the chance of any rejection under the global null
        // at about 5% (measured with a point null: 6 of 100); testing against the ±0.5%
        // negligible change and the 2% threshold bring it to about none. The bound is the
        // nominal rate, so a regression of either guard shows.
        #expect(rate <= 0.05)
    }
}
