import CrowdspeedCore
import Foundation
import Testing
@testable import CrowdspeedAgent

/// The workload scripts' output contract under the real interpreters, and the runner measuring
/// real short samples with posix_spawn + wait4.
@Suite(.serialized) struct WorkloadTests {
    static let interpreters = ["/usr/bin/pypy3", "python3"]

    func interpreter(_ command: String) throws -> Interpreter {
        let env = ProcessInfo.processInfo.environment
        let path = command.hasPrefix("/") ? command : try #require(Interpreter.findOnPath(command, environment: env))
        return try #require(Interpreter.probe(command: command, path: path, environment: env))
    }

    @Test func versionsAreReadFromTheScripts() throws {
        let scripts = try WorkloadScripts.bundled()
        #expect(scripts.gcbenchVersion == "1")
        #expect(scripts.jsonbenchVersion == "1")
        #expect(try WorkloadScripts.bundled(gcbenchDepth: 12).gcbenchVersion == "1-d12")
    }

    @Test(arguments: interpreters)
    func gcbenchPrintsExactlyOneRecord(command: String) throws {
        let python = try interpreter(command)
        let scripts = try WorkloadScripts.bundled(gcbenchDepth: 12)
        let outcome = try #require(
            try ChildProcess.runConcurrently([
                ChildCommand(
                    executable: python.path, arguments: [scripts.gcbenchPath, "12"],
                    environment: ProcessInfo.processInfo.environment)
            ]).first)
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").count == 1)
        let record = try #require(WorkloadRecord.parse(stdout: outcome.stdout))
        #expect(record.benchmark == "gcbench")
        #expect(record.version == "1")
        #expect((record.cpuMs ?? 0) > 0)
        #expect((record.wallMs ?? 0) > 0)
    }

    @Test(arguments: interpreters)
    func jsonbenchPrintsDumpsAndLoadsTimings(command: String) throws {
        let python = try interpreter(command)
        let scripts = try WorkloadScripts.bundled()
        let outcome = try #require(
            try ChildProcess.runConcurrently([
                ChildCommand(
                    executable: python.path, arguments: [scripts.jsonbenchPath, "text", "json"],
                    environment: ProcessInfo.processInfo.environment)
            ]).first)
        #expect(outcome.exitCode == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.split(separator: "\n").count == 1)
        let record = try #require(WorkloadRecord.parse(stdout: outcome.stdout))
        #expect(record.benchmark == "json")
        #expect(record.payload == "text")
        #expect(record.library == "json")
        #expect((record.dumpsCPUMs ?? 0) > 0 && (record.loadsCPUMs ?? 0) > 0)
    }

    @Test func jsonPayloadsAreIdenticalAcrossInterpreters() throws {
        // The "bytes" field is the length of dumps(payload): equal on PyPy and CPython only if
        // the LCG built the same data on both.
        var sizes = Set<Int>()
        for command in Self.interpreters {
            let python = try interpreter(command)
            let script =
                "import sys, json; sys.argv=['x']; sys.path.insert(0, sys.argv[0]); exec(open(\(try WorkloadScripts.bundled().jsonbenchPath.debugDescription)).read().split('if __name__')[0]); print(len(json.dumps(make_records(LCG(20240601)))))"
            let outcome = try #require(
                try ChildProcess.runConcurrently([
                    ChildCommand(executable: python.path, arguments: ["-c", script], environment: [:])
                ]).first)
            #expect(outcome.exitCode == 0, "\(outcome.stderr)")
            sizes.insert(try #require(Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines))))
        }
        #expect(sizes.count == 1)
    }

    @Test func missingLibraryExitsWithStatus3() throws {
        let python = try interpreter("/usr/bin/pypy3")
        let scripts = try WorkloadScripts.bundled()
        try #require(!python.hasSimplejson, "simplejson is installed here; nothing to test")
        let outcome = try #require(
            try ChildProcess.runConcurrently([
                ChildCommand(
                    executable: python.path, arguments: [scripts.jsonbenchPath, "text", "simplejson"], environment: [:])
            ]).first)
        #expect(outcome.exitCode == 3)
        #expect(outcome.stdout.isEmpty)
    }

    @Test func runnerMeasuresARealSampleWithRusage() throws {
        let python = try interpreter("/usr/bin/pypy3")
        #expect(python.isPyPy)
        #expect(python.info.version.hasPrefix("7."))
        let runner = PointRunner(
            interpreter: python, scripts: try WorkloadScripts.bundled(gcbenchDepth: 12),
            environment: ProcessInfo.processInfo.environment)
        let measurements = try runner.run(.gcbench(nurseryBytes: 4 << 20, procs: 2))
        #expect(measurements.count == 2)
        for measurement in measurements {
            #expect(!measurement.failed, "\(measurement.failure ?? "")")
            #expect(measurement.cpuMs > 0)
            #expect(measurement.wallMs > 0)
            #expect(measurement.maxRSSBytes > 10 << 20) // PyPy's heap alone is tens of MiB
            #expect((0...1).contains(measurement.foreignLoad))
            #expect(measurement.params == ResultParams(procs: 2, nurseryBytes: 4 << 20))
            #expect(measurement.benchmarkVersion == "1-d12")
        }
    }

    @Test func nurseryVariableReachesTheChildAndIsUnsetForTheDefault() throws {
        let python = try interpreter("python3")
        // The user's shell has a value set; the control must not inherit it.
        let env = ProcessInfo.processInfo.environment.merging(["PYPY_GC_NURSERY": "123"]) { $1 }
        let runner = PointRunner(interpreter: python, scripts: try WorkloadScripts.bundled(), environment: env)
        let echo = "import os; print(os.environ.get('PYPY_GC_NURSERY', 'unset'))"
        func seen(_ point: SweepPoint) throws -> String {
            let outcome = try ChildProcess.runConcurrently([
                ChildCommand(
                    executable: python.path, arguments: ["-c", echo], environment: runner.childEnvironment(for: point))
            ])[0]
            return outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try seen(.gcbench(nurseryBytes: nil, procs: 1)) == "unset")
        #expect(try seen(.gcbench(nurseryBytes: 8 << 20, procs: 2)) == "8M")
        #expect(try seen(.gcbench(nurseryBytes: 256 << 10, procs: 1)) == "256K")
        #expect(try seen(.json(payload: "text", library: "json")) == "unset")
    }

    @Test func crashingChildGivesAFailedSampleAndKeepsItsRusage() throws {
        let python = try interpreter("python3")
        var scripts = try WorkloadScripts.bundled()
        // gcbench.py with a depth outside 6…24 exits with status 2 and no record.
        scripts.gcbenchDepth = 99
        let runner = PointRunner(
            interpreter: python, scripts: scripts, environment: ProcessInfo.processInfo.environment)
        let measurements = try runner.run(.gcbench(nurseryBytes: nil, procs: 1))
        #expect(measurements.count == 1)
        #expect(measurements[0].failed)
        #expect(measurements[0].failure?.contains("depth must be within") == true)
        let sample = measurements[0].sample(round: 0)
        #expect(sample.failed == true)
        #expect(sample.cpuMs > 0)
    }

    @Test func foreignLoadSubtractsTheChildrenAndClamps() {
        let start = MachineLoad(busySeconds: 10, totalSeconds: 100)
        let end = MachineLoad(busySeconds: 12, totalSeconds: 104)
        #expect(MachineLoad.foreignShare(from: start, to: end, ownCPUSeconds: 1) == 0.25)
        #expect(MachineLoad.foreignShare(from: start, to: end, ownCPUSeconds: 3) == 0)
        #expect(MachineLoad.foreignShare(from: nil, to: end, ownCPUSeconds: 0) == 0)
        let parsed = MachineLoad.parse("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3 4\n", ticksPerSecond: 100)
        #expect(parsed == MachineLoad(busySeconds: 1.5, totalSeconds: 10))
    }

    @Test func runnerKeepsOnlyWholeRoundsAndNumbersThemFromZero() throws {
        let python = try interpreter("/usr/bin/pypy3")
        let design = SweepDesign(
            nurseryGrid: [4 << 20], procs: [1], includeGCBench: true, jsonPayloads: [], jsonLibraries: [])
        let runner = SweepRunner(
            pointRunner: PointRunner(
                interpreter: python, scripts: try WorkloadScripts.bundled(gcbenchDepth: 10),
                environment: ProcessInfo.processInfo.environment),
            schedule: RoundSchedule(points: design.points, seed: 7), rule: StoppingRule(mode: .fixed(rounds: 2)),
            interruption: Interruption(), progress: nil)
        let outcome = try runner.run()
        #expect(outcome.measuredRounds == 2)
        #expect(outcome.warmupRounds == 1)
        #expect(outcome.stopReason == .rounds)
        #expect(outcome.results.count == 2)
        for result in outcome.results {
            #expect(result.samples.map(\.round) == [0, 1]) // the warm-up round is not among them
        }
        #expect(outcome.results[0].params.nurseryBytes == nil) // default first
    }

    @Test func interruptedSweepKeepsNoPartialRound() throws {
        let python = try interpreter("/usr/bin/pypy3")
        let design = SweepDesign(
            nurseryGrid: [4 << 20], procs: [1], includeGCBench: true, jsonPayloads: [], jsonLibraries: [])
        let interruption = Interruption()
        interruption.interrupt()
        let runner = SweepRunner(
            pointRunner: PointRunner(
                interpreter: python, scripts: try WorkloadScripts.bundled(gcbenchDepth: 10), environment: [:]),
            schedule: RoundSchedule(points: design.points, seed: 7), rule: StoppingRule(mode: .fixed(rounds: 2)),
            interruption: interruption, progress: nil)
        let outcome = try runner.run()
        #expect(outcome.stopReason == .interrupted)
        #expect(outcome.measuredRounds == 0)
        #expect(outcome.results.isEmpty)
    }

    @Test func stepsLeftDropFinishedCurvesAndRoundsAlreadyRun() {
        let design = SweepDesign(
            nurseryGrid: [1 << 20, 4 << 20], procs: [1, 2], includeGCBench: true, jsonPayloads: ["small"],
            jsonLibraries: ["json"])
        let schedule = RoundSchedule(points: design.points, seed: 7)
        let rule = StoppingRule(mode: .adaptive(minimum: 3, maximum: 10))
        let json = design.points.filter { if case .json = $0 { return true } else { return false } }.count
        // Three gcbench points (default and two sizes) per process count, plus the JSON points.
        #expect(design.points.count == 6 + json)
        #expect(
            SweepRunner.stepsLeft(schedule: schedule, rule: rule, roundsStarted: 0, finished: []) == 11 * (6 + json))
        #expect(
            SweepRunner.stepsLeft(schedule: schedule, rule: rule, roundsStarted: 4, finished: [1]) == 7 * (3 + json))
        #expect(SweepRunner.stepsLeft(schedule: schedule, rule: rule, roundsStarted: 4, finished: [1, 2]) == 7 * json)
        #expect(SweepRunner.stepsLeft(schedule: schedule, rule: rule, roundsStarted: 11, finished: []) == 0)
    }
}
