import CrowdspeedCore
import Testing
@testable import CrowdspeedAgent

/// The sweep design: process counts, grids, the seeded shuffle and the stopping rule.
@Suite struct PlannerTests {
    @Test(arguments: [(1, [1]), (2, [1, 2]), (4, [1, 2, 4]), (64, [1, 32, 64]), (3, [1, 3])])
    func processCountsAreOneHalfAllDeduplicated(cores: Int, expected: [Int]) {
        #expect(SweepDesign.processCounts(physicalCores: cores) == expected)
    }

    @Test(
        "a CPU quota caps the process counts at its whole CPUs",
        arguments: [
            (64, 2.0, [1, 2]), (64, 0.5, [1]), (64, 6.5, [1, 3, 6]), (4, 16.0, [1, 2, 4]), (8, Double.nan, [1, 4, 8]),
        ])
    func processCountsUnderQuota(cores: Int, quota: Double, expected: [Int]) {
        #expect(SweepDesign.processCounts(physicalCores: cores, cpuQuota: quota) == expected)
    }

    @Test func defaultGridIsPowersOfTwoFrom256KTo64M() {
        #expect(
            SweepDesign.defaultGrid.map(NurserySize.format) == [
                "256K", "512K", "1M", "2M", "4M", "8M", "16M", "32M", "64M",
            ])
        #expect(SweepDesign.powersOfTwo(from: 1 << 20, to: 4 << 20) == [1 << 20, 2 << 20, 4 << 20])
    }

    func design() -> SweepDesign {
        SweepDesign(
            nurseryGrid: [1 << 20, 4 << 20, 16 << 20], procs: [2, 1, 2], includeGCBench: true,
            jsonPayloads: ["records"], jsonLibraries: ["json", "simplejson"])
    }

    @Test func pointsIncludeTheDefaultControlForEveryProcsCount() {
        let points = design().points
        #expect(points.count == 2 * 4 + 2)
        #expect(points.contains(.gcbench(nurseryBytes: nil, procs: 1)))
        #expect(points.contains(.gcbench(nurseryBytes: nil, procs: 2)))
        #expect(Set(points).count == points.count)
    }

    @Test func cpythonDesignHasNoNurserySweep() {
        let settings = SweepSettings(seed: 1)
        let cpython = Interpreter(
            command: "python3", path: "/usr/bin/python3",
            info: InterpreterInfo(
                implementation: "CPython", version: "3.11.7", languageVersion: "3.11.7", executable: "python3"),
            hasSimplejson: false)
        let design = settings.design(for: cpython, physicalCores: 4)
        #expect(!design.points.contains { if case .gcbench = $0 { true } else { false } })
        #expect(design.points.count == SweepDesign.allJSONPayloads.count)
        // Adaptive stopping needs a nursery curve; JSON-only sweeps run the minimum rounds.
        #expect(settings.rule(for: cpython, design: design, budgetSeconds: nil).mode == .fixed(rounds: 5))
    }

    @Test func everyRoundRunsEveryPointOnceInASeededOrder() {
        let points = design().points
        let schedule = RoundSchedule(points: points, seed: 12345)
        let again = RoundSchedule(points: points, seed: 12345)
        var orders = Set<[SweepPoint]>()
        for round in 0..<8 {
            let order = schedule.order(round: round)
            #expect(order.count == points.count)
            #expect(Set(order) == Set(points))
            #expect(order == again.order(round: round))
            orders.insert(order)
        }
        // Shuffled: eight rounds of ten points do not all come out in the same order.
        #expect(orders.count > 1)
        #expect(RoundSchedule(points: points, seed: 999).order(round: 0) != schedule.order(round: 0))
    }

    @Test func splitMix64MatchesTheReferenceSequence() {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func warmupRoundIsDiscardedAndMeasuredRoundsCountFromZero() {
        let schedule = RoundSchedule(points: design().points, seed: 1, warmupRounds: 1)
        #expect(schedule.isWarmup(round: 0))
        #expect(schedule.measuredIndex(round: 0) == nil)
        #expect(schedule.measuredIndex(round: 1) == 0)
        #expect(schedule.measuredIndex(round: 5) == 4)
    }

    @Test func fixedRuleStopsAtItsRoundCount() {
        let rule = StoppingRule(mode: .fixed(rounds: 3))
        #expect(rule.decide(measuredRounds: 2, curves: [:], elapsedSeconds: 10, roundSeconds: 1) == nil)
        #expect(rule.decide(measuredRounds: 3, curves: [:], elapsedSeconds: 10, roundSeconds: 1) == .rounds)
    }

    @Test func budgetStopsBeforeARoundThatWouldNotFit() {
        let rule = StoppingRule(mode: .fixed(rounds: 100), budgetSeconds: 60)
        #expect(rule.decide(measuredRounds: 3, curves: [:], elapsedSeconds: 40, roundSeconds: 15) == nil)
        #expect(rule.decide(measuredRounds: 3, curves: [:], elapsedSeconds: 50, roundSeconds: 15) == .budget)
        // Never before one measured round.
        #expect(rule.decide(measuredRounds: 0, curves: [:], elapsedSeconds: 500, roundSeconds: 15) == nil)
    }

    /// A curve on 1M…8M whose best is 2M: 1M and 4M are its neighbours, 8M and the default must be decided.
    func curve(eightMegabytes: [Double]) -> [Int64?: [Double]] {
        [
            nil: [500, 510, 505], 1 << 20: [480, 490, 485], 2 << 20: [350, 355, 352], 4 << 20: [400, 410, 405],
            8 << 20: eightMegabytes,
        ]
    }

    @Test func adaptiveRuleStopsWhenTheBestIsSeparatedBeyondItsNeighbours() {
        let rule = StoppingRule(mode: .adaptive(minimum: 3, maximum: 10))
        let separated = curve(eightMegabytes: [450, 460, 455])
        // 8M's median (380) is 8% above the best's, but its notch reaches below the best's.
        let overlapping = curve(eightMegabytes: [340, 440, 380])
        // Below the minimum number of rounds.
        #expect(rule.decide(measuredRounds: 2, curves: [1: separated], elapsedSeconds: 0, roundSeconds: 1) == nil)
        #expect(rule.decide(measuredRounds: 3, curves: [1: separated], elapsedSeconds: 0, roundSeconds: 1) == .resolved)
        #expect(rule.decide(measuredRounds: 3, curves: [1: overlapping], elapsedSeconds: 0, roundSeconds: 1) == nil)
        #expect(
            rule.decide(measuredRounds: 3, curves: [1: separated, 2: overlapping], elapsedSeconds: 0, roundSeconds: 1)
                == nil)
        #expect(
            rule.decide(measuredRounds: 10, curves: [1: overlapping], elapsedSeconds: 0, roundSeconds: 1) == .rounds)
    }

    @Test func finishedCurvesAreTheResolvedOnesOnceTheMinimumIsRun() {
        let rule = StoppingRule(mode: .adaptive(minimum: 3, maximum: 10))
        let curves = [1: curve(eightMegabytes: [450, 460, 455]), 2: curve(eightMegabytes: [340, 440, 380])]
        #expect(rule.finishedCurves(measuredRounds: 2, curves: curves).isEmpty)
        #expect(rule.finishedCurves(measuredRounds: 3, curves: curves) == [1])
        #expect(StoppingRule(mode: .fixed(rounds: 3)).finishedCurves(measuredRounds: 3, curves: curves).isEmpty)
    }

    @Test func notchesNarrowAsSamplesAreAdded() {
        let few = curve(eightMegabytes: [340, 440, 380])
        let many = few.mapValues { Array(repeating: $0, count: 20).flatMap { $0 } }
        #expect(!CurveResolution.isResolved(few, tolerance: 0.02))
        #expect(CurveResolution.isResolved(many, tolerance: 0.02))
    }

    @Test func neighboursMayStayUndecided() {
        // 4M overlaps the best and is 8% slower: undecided, but a neighbour.
        var curve = curve(eightMegabytes: [450, 460, 455])
        curve[4 << 20] = [340, 440, 380]
        #expect(CurveResolution.isResolved(curve, tolerance: 0.02))
    }

    @Test func settingsWithin2PercentCountAsResolved() {
        let flat: [Int64?: [Double]] = [
            nil: [500, 600, 550], 2 << 20: [350, 420, 352], 4 << 20: [355, 400, 356], 8 << 20: [356, 410, 357],
        ]
        #expect(CurveResolution.isResolved(flat, tolerance: 0.02))
        #expect(!CurveResolution.isResolved([nil: [1, 2]], tolerance: 0.02)) // a lone point cannot be judged
    }

    func plan(_ sizes: [Int64], procs: Int) -> PlanDocument {
        PlanDocument(
            basis: "formula", nurseries: sizes.map { .init(nurseryBytes: $0, pypyGCNursery: NurserySize.format($0)) },
            predictedNurseryBytes: sizes[sizes.count / 2], bandLowerBytes: sizes.first, bandUpperBytes: sizes.last,
            pypyDefaultBytes: 4 << 20, stopping: .init(minimumRounds: 3, maximumRounds: 8, tolerance: 0.02),
            formulaVersion: 1, procs: procs, links: [:])
    }

    @Test func aPlanReplacesTheGridAndTheAdaptiveRuleOfItsInterpreter() {
        let pypy = Interpreter(
            command: "pypy3", path: "/usr/bin/pypy3",
            info: InterpreterInfo(
                implementation: "PyPy", version: "7.3.17", languageVersion: "3.10.14", executable: "pypy3"),
            hasSimplejson: false)
        var settings = SweepSettings(jsonPayloads: [], seed: 1)
        settings.plans = ["pypy3": [1: plan([1 << 20, 2 << 20, 4 << 20], procs: 1), 2: plan([512 << 10], procs: 2)]]
        let design = settings.design(for: pypy, physicalCores: 4)
        #expect(design.grid(procs: 1) == [1 << 20, 2 << 20, 4 << 20])
        #expect(design.grid(procs: 2) == [512 << 10])
        #expect(design.grid(procs: 4) == SweepDesign.defaultGrid) // no plan for 4: the full grid
        #expect(design.points.filter { $0.processCount == 1 }.count == 4) // three sizes and the control
        #expect(settings.rule(for: pypy, design: design, budgetSeconds: nil).mode == .adaptive(minimum: 3, maximum: 8))
        // --rounds wins over the plan's rule; another interpreter keeps the full grid.
        settings.rule.mode = .fixed(rounds: 4)
        #expect(settings.rule(for: pypy, design: design, budgetSeconds: nil).mode == .fixed(rounds: 4))
        var other = pypy
        other.command = "pypy"
        #expect(settings.design(for: other, physicalCores: 4).grid(procs: 1) == SweepDesign.defaultGrid)
    }

    @Test func summaryComparesBestNurseryWithTheDefault() {
        func result(_ nursery: Int64?, _ cpu: [Double], failed: Bool = false) -> BenchmarkResult {
            BenchmarkResult(
                benchmark: "gcbench", benchmarkVersion: "1", params: ResultParams(procs: 1, nurseryBytes: nursery),
                samples: cpu.enumerated().map {
                    Sample(
                        wallMs: $1, cpuMs: $1, maxRSSBytes: 1, round: $0, foreignLoad: 0, failed: failed ? true : nil)
                })
        }
        let summary = SweepSummary(results: [
            result(nil, [500, 490, 510]), result(8 << 20, [350, 340, 360]), result(1 << 20, [100], failed: true),
        ])
        #expect(summary.lines.count == 1)
        #expect(summary.lines[0].bestNurseryBytes == 8 << 20)
        #expect(abs(summary.lines[0].percentVersusDefault - -30) < 1e-9)
        #expect(summary.text.contains("PYPY_GC_NURSERY=8M"))
        #expect(summary.text.contains("-30.0%"))
    }
}
