import CrowdspeedCore
import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs one sweep point on one interpreter: k fresh processes for gcbench at procs = k, one
/// process for a JSON case, and turns each child into measurements.
public struct PointRunner: Sendable {
    public var interpreter: Interpreter
    public var scripts: WorkloadScripts
    /// The agent's environment; `PYPY_GC_NURSERY` is removed from it or replaced per point.
    public var environment: [String: String]
    /// Foreign load above which a sample is flagged noisy.
    public var noisyThreshold: Double
    /// Reads machine CPU counters; injectable so tests can simulate a busy machine.
    public var loadReader: @Sendable () -> MachineLoad?

    public init(
        interpreter: Interpreter, scripts: WorkloadScripts, environment: [String: String],
        noisyThreshold: Double = 0.25, loadReader: @escaping @Sendable () -> MachineLoad? = { MachineLoad.read() }
    ) {
        self.interpreter = interpreter
        self.scripts = scripts
        self.environment = environment
        self.noisyThreshold = noisyThreshold
        self.loadReader = loadReader
    }

    /// Runs the point once. A child that crashes or prints no record gives a `failed` sample
    /// with what its rusage says; only a failure to start any process at all throws.
    public func run(_ point: SweepPoint, onStart: ([pid_t]) -> Void = { _ in }) throws -> [Measurement] {
        let command = ChildCommand(
            executable: interpreter.path, arguments: scripts.arguments(for: point),
            environment: childEnvironment(for: point))
        let before = loadReader()
        let outcomes = try ChildProcess.runConcurrently(
            Array(repeating: command, count: point.processCount), onStart: onStart)
        let after = loadReader()
        let foreign = MachineLoad.foreignShare(
            from: before, to: after, ownCPUSeconds: outcomes.reduce(0) { $0 + $1.cpuMs } / 1000)
        return outcomes.flatMap { measurements(point: point, outcome: $0, foreignLoad: foreign) }
    }

    /// The agent's environment with `PYPY_GC_NURSERY` set for a sized point and removed for the
    /// default (a value inherited from the user's shell would silently replace the control).
    func childEnvironment(for point: SweepPoint) -> [String: String] {
        var env = environment
        env["PYPY_GC_NURSERY"] = nil
        if case .gcbench(let nursery?, _) = point { env["PYPY_GC_NURSERY"] = NurserySize.format(nursery) }
        return env
    }

    /// Measurements of one child.
    func measurements(point: SweepPoint, outcome: ChildOutcome, foreignLoad: Double) -> [Measurement] {
        let record = outcome.succeeded ? WorkloadRecord.parse(stdout: outcome.stdout) : nil
        let failure: String? =
            record != nil
            ? nil
            : outcome.signal.map { "killed by signal \($0)" }
                ?? outcome.stderr.split(separator: "\n").last.map(String.init)
                ?? "exit status \(outcome.exitCode ?? -1), no result line"
        let noisy = foreignLoad > noisyThreshold
        switch point {
        case .gcbench(let nursery, let procs):
            // CPU time and wall time come from the outside (rusage, our clock): that includes
            // interpreter start-up, which the nursery size also affects.
            return [
                Measurement(
                    benchmark: BenchmarkName.gcbench, benchmarkVersion: scripts.gcbenchVersion,
                    params: ResultParams(procs: procs, nurseryBytes: nursery), wallMs: outcome.wallMs,
                    cpuMs: outcome.cpuMs,
                    maxRSSBytes: outcome.maxRSSBytes, foreignLoad: foreignLoad, noisy: noisy, failed: record == nil,
                    failure: failure)
            ]
        case .json(let payload, let library):
            // One process times both phases; the script's own clocks separate them.
            let params = ResultParams(payload: payload, library: library)
            let phases: [(String, Double?, Double?)] = [
                (BenchmarkName.jsonDumps, record?.dumpsWallMs, record?.dumpsCPUMs),
                (BenchmarkName.jsonLoads, record?.loadsWallMs, record?.loadsCPUMs),
            ]
            return phases.map { name, wall, cpu in
                let ok = wall != nil && cpu != nil
                return Measurement(
                    benchmark: name, benchmarkVersion: scripts.jsonbenchVersion, params: params,
                    wallMs: wall ?? outcome.wallMs / 2, cpuMs: cpu ?? outcome.cpuMs / 2,
                    maxRSSBytes: outcome.maxRSSBytes,
                    foreignLoad: foreignLoad, noisy: noisy, failed: !ok, failure: ok ? nil : failure)
            }
        }
    }
}
