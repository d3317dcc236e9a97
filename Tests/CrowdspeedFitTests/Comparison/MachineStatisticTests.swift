import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Per-machine figures from submissions")
struct MachineStatisticTests {
    static let machine = PopulationSimulator(seed: 1).machine(at: 0).submission

    static func submission(_ implementation: String, _ version: String, _ results: [BenchmarkResult]) -> Submission {
        var submission = machine
        submission.interpreter = InterpreterInfo(
            implementation: implementation, version: version, languageVersion: "3.10", executable: "x")
        submission.results = results
        return submission
    }

    static func result(_ benchmark: String, _ params: ResultParams, _ cpu: [Double], failed: Set<Int> = [])
        -> BenchmarkResult
    {
        BenchmarkResult(
            benchmark: benchmark, benchmarkVersion: "1", params: params,
            samples: cpu.enumerated().map { index, ms in
                Sample(
                    wallMs: ms, cpuMs: ms, maxRSSBytes: 1 << 20, round: index, foreignLoad: 0,
                    failed: failed.contains(index) ? true : nil)
            })
    }

    @Test(
        "median CPU time per machine, interpreter and key; failed samples out; runs of one version pooled; best = lowest setting median"
    )
    func derive() throws {
        let mib: Int64 = 1 << 20
        let first = Self.submission(
            "PyPy", "7.3.16",
            [
                Self.result("gcbench", ResultParams(procs: 1), [100, 110, 90, 1, 105], failed: [3]),
                Self.result("gcbench", ResultParams(procs: 1, nurseryBytes: mib), [80, 82, 84]),
                Self.result("gcbench", ResultParams(procs: 1, nurseryBytes: 2 * mib), [70, 75, 72]),
                Self.result("gcbench", ResultParams(procs: 1, nurseryBytes: 4 * mib), [90, 91, 92]),
                Self.result("json.dumps", ResultParams(payload: "records", library: "json"), [10, 12, 11]),
            ])
        let second = Self.submission("PyPy", "7.3.16", [Self.result("gcbench", ResultParams(procs: 1), [95])])
        let cpython = Self.submission(
            "CPython", "3.12.3",
            [Self.result("json.dumps", ResultParams(payload: "records", library: "json"), [20, 22])])
        let statistics = MachineStatistic.statistics(from: [first, cpython, second])
        func figure(_ implementation: String, _ benchmark: String, _ params: ComparisonParams) -> MachineStatistic? {
            statistics.first {
                $0.interpreter.implementation == implementation && $0.key.benchmark == benchmark
                    && $0.key.params == params
            }
        }
        let pypyDefault = try #require(figure("PyPy", "gcbench", ComparisonParams(procs: 1, nursery: .default)))
        #expect(pypyDefault.cpuMs == 100) // median of 100, 110, 90, 105 and 95
        #expect(pypyDefault.samples == 5)
        let best = try #require(figure("PyPy", "gcbench", ComparisonParams(procs: 1, nursery: .best)))
        #expect(best.cpuMs == 72)
        let dumps = try #require(figure("PyPy", "json.dumps", ComparisonParams(payload: "records", library: "json")))
        #expect(dumps.cpuMs == 11)
        let cpythonDumps = try #require(
            figure("CPython", "json.dumps", ComparisonParams(payload: "records", library: "json")))
        #expect(cpythonDumps.cpuMs == 21)
        #expect(statistics.count == 4)
        #expect(Set(statistics.map(\.machineID)) == [Self.machine.machine.machineID])
        #expect(
            statistics.allSatisfy {
                $0.hardwareClass
                    == HardwareClass(arch: Self.machine.machine.arch, cpuVendor: Self.machine.machine.cpuVendor)
            })
        // Without best: one figure fewer. Without the grid (two sizes): no best either.
        #expect(MachineStatistic.statistics(from: [first], includeBestNursery: false).count == 2)
        var small = first
        small.results.remove(at: 3)
        #expect(MachineStatistic.statistics(from: [small]).count == 2)
        // Sources filter.
        #expect(MachineStatistic.statistics(from: [first], sources: [.agent]).isEmpty)
    }

    @Test("cross-implementation pairing takes each machine's newest version of each side")
    func newestPairing() throws {
        let key = BenchmarkKey(
            benchmark: "json.loads", benchmarkVersion: "1", params: ComparisonParams(payload: "text", library: "json"))
        let hardware = HardwareClass(arch: "x86_64", cpuVendor: "GenuineIntel")
        func stat(_ implementation: String, _ version: String, _ ms: Double) -> MachineStatistic {
            MachineStatistic(
                machineID: "m", hardwareClass: hardware,
                interpreter: InterpreterKey(implementation: implementation, version: version), key: key, cpuMs: ms,
                samples: 5)
        }
        let data = [
            stat("PyPy", "7.3.9", 50), stat("PyPy", "7.3.11", 40), stat("CPython", "3.9.2", 100),
            stat("CPython", "3.12.3", 80),
        ]
        let pairs = PairedObservation.pair(
            data, from: .newest(implementation: "CPython"), to: .newest(implementation: "pypy"))
        let pair = try #require(pairs.first)
        #expect(pairs.count == 1)
        #expect(pair.from.version == "3.12.3" && pair.to.version == "7.3.11")
        #expect(pair.ratio == 0.5)
        // A selection that picks the same interpreter twice pairs nothing.
        #expect(
            PairedObservation.pair(data, from: .newest(implementation: "PyPy"), to: .newest(implementation: "PyPy"))
                .isEmpty)
    }
}
