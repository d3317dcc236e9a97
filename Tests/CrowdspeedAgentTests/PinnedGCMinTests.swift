import CrowdspeedCore
import Foundation
import Testing
@testable import CrowdspeedAgent

/// `crowdspeed-agent run --pin-gc-min` (study mode) against the real pypy3: every child sees the
/// same `PYPY_GC_MIN` while `PYPY_GC_NURSERY` varies, and the submission records the pin.
@Suite(.serialized) struct PinnedGCMinTests {
    /// The bundled scripts, except that gcbench.py first appends the `PYPY_GC_MIN` and
    /// `PYPY_GC_NURSERY` it was started with to `log`, then runs the real gcbench.py.
    private static func recordingScripts(in directory: URL, log: URL) throws -> WorkloadScripts {
        let bundled = try WorkloadScripts.bundled(gcbenchDepth: 10)
        let wrapper = """
            VERSION = "1"
            import os, runpy, sys
            with open(\(pythonString(log.path)), "a") as log:
                log.write("%s %s\\n" % (os.environ.get("PYPY_GC_MIN", "unset"), os.environ.get("PYPY_GC_NURSERY", "unset")))
            sys.argv[0] = \(pythonString(bundled.gcbenchPath))
            runpy.run_path(sys.argv[0], run_name="__main__")

            """
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try wrapper.write(to: directory.appendingPathComponent("gcbench.py"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: bundled.jsonbenchPath, toPath: directory.appendingPathComponent("jsonbench.py").path)
        return try WorkloadScripts(directory: directory, gcbenchDepth: 10)
    }

    private static func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Runs a one-round sweep of 1M and 4M at one process on pypy3 with `environment`, returning
    /// what the children saw (one "GC_MIN NURSERY" line each) and the submission.
    private static func sweep(pin: Bool, environment: [String: String]) throws -> (seen: [String], Submission?) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cs-pin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("env.log")
        let scripts = try recordingScripts(in: directory.appendingPathComponent("scripts"), log: log)
        let probed = ProcessInfo.processInfo.environment
        let pypy = try #require(
            Interpreter.probe(command: "/usr/bin/pypy3", path: "/usr/bin/pypy3", environment: probed))
        var settings = SweepSettings(
            nurseryGrid: [1 << 20, 4 << 20], procs: [1], jsonPayloads: [], rule: StoppingRule(mode: .fixed(rounds: 1)),
            seed: 3, gcbenchDepth: 10)
        settings.pinGCMin = pin
        let session = SweepSession(
            machine: try MachineProbe.current(), interpreters: [pypy], scripts: scripts, settings: settings,
            environment: environment, interruption: Interruption(), progress: nil)
        let runs = try session.run()
        let seen = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        return (seen, runs.first?.submission)
    }

    @Test("study mode: PYPY_GC_MIN is 8 × the largest size for every child, the nursery varies, the run records it")
    func pinnedAcrossSizes() throws {
        // A value in the user's shell is replaced by the study's.
        let environment = ProcessInfo.processInfo.environment.merging(["PYPY_GC_MIN": "123M"]) { $1 }
        let (seen, submission) = try Self.sweep(pin: true, environment: environment)
        // Warm-up and one measured round: the default and two sizes, twice.
        #expect(seen.count == 6)
        #expect(Set(seen.map { $0.split(separator: " ")[0] }) == ["32M"])
        #expect(Set(seen.map { $0.split(separator: " ")[1] }) == ["unset", "1M", "4M"])
        let run = try #require(submission?.run)
        #expect(run.pypyGCMin == "32M")
        #expect(submission?.results.allSatisfy { $0.samples.allSatisfy { $0.failed != true } } == true)
    }

    @Test("without study mode the children run with PyPy's own PYPY_GC_MIN and the run records none")
    func unpinnedByDefault() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PYPY_GC_MIN"] = nil
        let (seen, submission) = try Self.sweep(pin: false, environment: environment)
        #expect(Set(seen.map { $0.split(separator: " ")[0] }) == ["unset"])
        #expect(submission?.run?.pypyGCMin == nil)
    }

    @Test("the pinned value follows the grid: 512M for the default grid")
    func pinnedValue() {
        #expect(SweepSettings(seed: 1).pinnedGCMinBytes == 512 << 20)
        #expect(SweepSettings.quick(seed: 1).pinnedGCMinBytes == 256 << 20)
        var settings = SweepSettings(seed: 1)
        #expect(settings.environment(from: ["PYPY_GC_MIN": "1M"])["PYPY_GC_MIN"] == "1M")
        settings.pinGCMin = true
        #expect(
            settings.environment(from: ["PYPY_GC_MIN": "1M", "HOME": "/h"]) == ["PYPY_GC_MIN": "512M", "HOME": "/h"])
    }
}
