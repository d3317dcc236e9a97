import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Versioned population simulator")
struct VersionedSimulatorTests {
    @Test("machine i keeps the base simulator's hardware and truth; its submissions are valid and synthetic")
    func sameHardware() {
        let versioned = VersionedPopulationSimulator(seed: 31)
        let base = PopulationSimulator(seed: 31)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        for index in 0..<12 {
            let history = versioned.history(at: index)
            let machine = base.machine(at: index)
            var info = machine.submission.machine
            info.memoryBytes = history.machine.memoryBytes
            #expect(history.machine == info)
            #expect(history.truth == machine.truth)
            #expect(history.noiseSigma == machine.noiseSigma)
            #expect(!history.submissions.isEmpty)
            for submission in history.submissions {
                #expect(submission.validationIssues(now: now).isEmpty)
                #expect(submission.source == .synthetic)
                #expect(submission.machine == history.machine)
            }
            #expect(versioned.history(at: index) == history)
        }
    }

    @Test("most machines run every PyPy version; machine ids are distinct; CPython runs JSON only")
    func repeats() {
        let histories = VersionedPopulationSimulator(seed: 32).histories(count: 200)
        let both = histories.filter { history in
            Set(history.interpreters.filter { $0.isImplementation("PyPy") }.map(\.version)) == ["7.3.16", "7.3.17"]
        }
        print("machines with both PyPy versions: \(both.count)/200")
        #expect((120...160).contains(both.count))
        #expect(Set(histories.map(\.machine.machineID)).count == 200)
        let cpython = histories.flatMap(\.submissions).filter { $0.interpreter.implementation == "CPython" }
        #expect(cpython.count > 120)
        #expect(cpython.allSatisfy { $0.results.allSatisfy { $0.benchmark != "gcbench" } && $0.results.count == 8 })
    }

    @Test("planted effects show in the true ratios and, on average, in the measured ones; other keys stay at 1")
    func effects() throws {
        var options = VersionedSimulationOptions()
        options.effects = VersionEffect.demo
        options.repeatShare = 1
        options.measureNurseryGrid = false
        let histories = VersionedPopulationSimulator(seed: 33, options: options).histories(count: 80)
        let old = InterpreterKey(implementation: "PyPy", version: "7.3.16")
        let new = InterpreterKey(implementation: "PyPy", version: "7.3.17")
        let gc = BenchmarkKey(
            benchmark: "gcbench", benchmarkVersion: "1", params: ComparisonParams(procs: 1, nursery: .default))
        let dumps = BenchmarkKey(
            benchmark: "json.dumps", benchmarkVersion: "1", params: ComparisonParams(payload: "text", library: "json"))
        let amd = HardwareClass(arch: "x86_64", cpuVendor: "AuthenticAMD")
        let intel = HardwareClass(arch: "x86_64", cpuVendor: "GenuineIntel")
        for history in histories {
            let gcTruth = try #require(history.trueRatio(key: gc, from: old, to: new))
            #expect(isClose(gcTruth, history.hardwareClass == amd ? 1.06 : 1, tolerance: 1e-12))
            let dumpsTruth = try #require(history.trueRatio(key: dumps, from: old, to: new))
            #expect(isClose(dumpsTruth, history.hardwareClass == intel ? 0.95 : 1, tolerance: 1e-12))
        }
        // Measured: mean log ratio over AMD machines near log 1.06 (noise ≈ 3%/√machines).
        let statistics = MachineStatistic.statistics(from: histories.flatMap(\.submissions))
        let pairs = PairedObservation.pair(statistics, from: .exactly(old), to: .exactly(new))
        let amdLogs = pairs.filter { $0.key == gc && $0.hardwareClass == amd }.map { log($0.ratio) }
        let otherLogs = pairs.filter { $0.key == gc && $0.hardwareClass != amd }.map { log($0.ratio) }
        #expect(amdLogs.count >= 15)
        #expect(isClose(Stats.mean(amdLogs), log(1.06), tolerance: 0.02))
        #expect(isClose(Stats.mean(otherLogs), 0, tolerance: 0.015))
        // PyPy against CPython on the JSON benchmarks: the implementation factors.
        let cpython = InterpreterKey(implementation: "CPython", version: "3.12.3")
        let loads = BenchmarkKey(
            benchmark: "json.loads", benchmarkVersion: "1", params: ComparisonParams(payload: "text", library: "json"))
        #expect(histories[0].trueRatio(key: loads, from: cpython, to: old).map { isClose($0, 1.3) } == true)
        #expect(histories[0].trueRatio(key: gc, from: cpython, to: old) == nil)
    }
}
