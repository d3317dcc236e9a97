import CrowdspeedCore
import Foundation

/// Two versions of one implementation compared on the machines that measured both: the
/// document `GET /api/v1/comparisons/versions` serves.
public struct VersionComparison: Sendable, Equatable, Codable {
    public var implementation: String
    public var from: String
    public var to: String
    public var rows: [ComparisonRow]
    public var method: String

    public init(implementation: String, from: String, to: String, rows: [ComparisonRow], method: String) {
        self.implementation = implementation
        self.from = from
        self.to = to
        self.rows = rows
        self.method = method
    }

    /// Compares `from` and `to` of `implementation` on every key both measured.
    ///
    /// - Parameters:
    ///   - statistics: per-machine figures (``MachineStatistic/statistics(from:sources:includeBestNursery:)``);
    ///     other implementations and versions are ignored.
    ///   - implementation: e.g. `PyPy`, matched ignoring case.
    ///   - from: the older version (the baseline).
    ///   - to: the newer version; ratios above 1 mean it takes more CPU time.
    ///   - settings: see ``ComparisonSettings``.
    ///   - generator: the bootstrap's randomness.
    /// - Returns: the comparison; rows are empty when no machine measured both versions.
    public static func compare(
        _ statistics: [MachineStatistic], implementation: String, from: String, to: String,
        settings: ComparisonSettings = ComparisonSettings(), using generator: inout SplitMix64
    ) -> VersionComparison {
        let pairs = PairedObservation.pair(
            statistics, from: .exactly(InterpreterKey(implementation: implementation, version: from)),
            to: .exactly(InterpreterKey(implementation: implementation, version: to)))
        let result = PairedComparator.compare(pairs, settings: settings, using: &generator)
        return VersionComparison(
            implementation: implementation, from: from, to: to, rows: result.rows, method: result.method)
    }

    /// The versions of `implementation` in the data, oldest first (numeric order).
    public static func versions(_ statistics: [MachineStatistic], implementation: String) -> [String] {
        Set(statistics.filter { $0.interpreter.isImplementation(implementation) }.map(\.interpreter.version))
            .sorted(by: InterpreterKey.versionPrecedes)
    }

    /// How many machines measured both `a` and `b` of `implementation` (on any key).
    public static func sharedMachines(
        _ statistics: [MachineStatistic], implementation: String, _ a: String, _ b: String
    ) -> Int {
        var versionsByMachine: [String: Set<String>] = [:]
        for statistic in statistics where statistic.interpreter.isImplementation(implementation) {
            versionsByMachine[statistic.machineID, default: []].insert(statistic.interpreter.version)
        }
        return versionsByMachine.values.filter { $0.contains(a) && $0.contains(b) }.count
    }

    /// Each version against the newest older version it shares at least `minimumMachines`
    /// machines with, newest first: what a changes feed lists. Versions with no such
    /// predecessor are left out. The first pair, when there is one, is what "compare the two
    /// newest versions with enough data" means.
    public static func consecutivePairs(
        _ statistics: [MachineStatistic], implementation: String,
        minimumMachines: Int = ComparisonSettings()
            .minimumMachines
    ) -> [(from: String, to: String)] {
        let ordered = versions(statistics, implementation: implementation)
        var pairs: [(from: String, to: String)] = []
        for (index, to) in ordered.enumerated().reversed() {
            let from = ordered[..<index].reversed().first {
                sharedMachines(statistics, implementation: implementation, $0, to) >= max(1, minimumMachines)
            }
            if let from { pairs.append((from, to)) }
        }
        return pairs
    }
}

/// Two implementations compared on the machines that ran both (PyPy against CPython on the
/// JSON benchmarks): the speed center's "× faster than CPython", paired.
public struct ImplementationComparison: Sendable, Equatable, Codable {
    /// The baseline (`from`) and candidate (`to`) as selected, e.g. `newest CPython`.
    public var baseline: String
    public var candidate: String
    /// Ratios are candidate / baseline CPU time; ``ComparisonRow/speedup`` is "× faster".
    public var rows: [ComparisonRow]
    public var method: String

    public init(baseline: String, candidate: String, rows: [ComparisonRow], method: String) {
        self.baseline = baseline
        self.candidate = candidate
        self.rows = rows
        self.method = method
    }

    /// Compares `candidate` with `baseline` on each machine that measured both.
    ///
    /// - Parameters:
    ///   - statistics: per-machine figures.
    ///   - baseline: e.g. `.newest(implementation: "CPython")`: each machine's newest CPython.
    ///   - candidate: e.g. `.newest(implementation: "PyPy")`.
    ///   - benchmarks: the benchmarks compared; JSON by default, the only ones both run.
    ///   - settings: see ``ComparisonSettings``.
    ///   - generator: the bootstrap's randomness.
    public static func compare(
        _ statistics: [MachineStatistic], baseline: InterpreterSelection = .newest(implementation: "CPython"),
        candidate: InterpreterSelection = .newest(implementation: "PyPy"),
        benchmarks: Set<String> = [BenchmarkName.jsonDumps, BenchmarkName.jsonLoads],
        settings: ComparisonSettings = ComparisonSettings(), using generator: inout SplitMix64
    ) -> ImplementationComparison {
        let pairs = PairedObservation.pair(statistics, from: baseline, to: candidate, benchmarks: benchmarks)
        let result = PairedComparator.compare(pairs, settings: settings, using: &generator)
        return ImplementationComparison(
            baseline: baseline.description, candidate: candidate.description, rows: result.rows,
            method: result.method
                + " Each machine pairs the \(baseline) and the \(candidate) it measured; speedup = 1 / ratio.")
    }
}
