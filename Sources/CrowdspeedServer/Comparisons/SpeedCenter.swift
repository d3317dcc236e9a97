import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// The speed center's comparisons, computed from the stored per-machine figures
/// (``ComparisonStore``) once per revision of those figures and shared by the API, the feed and
/// the pages: a request reads one revision number and, unless the data changed, nothing else.
///
/// Each comparison's bootstrap is seeded from what it compares, so the same data always give
/// the same intervals, whichever request computed them first.
actor SpeedCenter {
    /// Everything the changes page, the feed and the timeline show, for one revision.
    struct Snapshot: Sendable {
        var revision: Int64
        var statistics: [MachineStatistic]
        /// Per implementation (PyPy first, then by name), its versions oldest first.
        var versions: [(implementation: String, versions: [String])]
        /// Each version against the newest older one with enough shared machines, per
        /// implementation in the order of ``versions``, newest first within each.
        var changes: [VersionComparison]
        /// Newest PyPy against newest CPython on each machine that ran both, on the JSON benchmarks.
        var speedups: ImplementationComparison
        /// When the figures of each interpreter last changed.
        var updated: [InterpreterKey: Date]
        /// The best nursery of every PyPy machine curve, for the nursery drift between versions.
        var bests: [CurveBestNursery]

        /// The versions of `implementation` (matched ignoring case) and its stored spelling.
        func versions(of implementation: String) -> (implementation: String, versions: [String])? {
            versions.first { $0.implementation.lowercased() == implementation.lowercased() }
        }

        /// When the figures of either side of `comparison` last changed.
        func updated(_ comparison: VersionComparison) -> Date {
            [comparison.from, comparison.to].compactMap {
                updated[InterpreterKey(implementation: comparison.implementation, version: $0)]
            }.max() ?? Date(timeIntervalSince1970: 0)
        }
    }

    private let store: any ComparisonStore
    private let settings: ComparisonSettings
    private var snapshot: Snapshot?
    /// Comparisons asked for by version, for ``snapshot``'s revision.
    private var asked: [String: VersionComparison] = [:]
    /// Nursery drifts asked for, for ``snapshot``'s revision.
    private var drifts: [String: NurseryDrift] = [:]

    init(store: any ComparisonStore, settings: ComparisonSettings = ComparisonSettings()) {
        self.store = store
        self.settings = settings
    }

    /// The comparisons of the current revision, computed when the figures changed since the last.
    func current() async throws -> Snapshot {
        let revision = try await store.comparisonRevision()
        if let snapshot, snapshot.revision == revision { return snapshot }
        let statistics = try await store.machineStatistics(machineID: nil)
        let updated = try await store.statisticsUpdated()
        let bests = try await store.bestNurseries()
        // One entry per implementation whatever the case its submitters spelled it in (the
        // comparisons match it ignoring case).
        var seen: Set<String> = []
        let implementations = Set(statistics.map(\.interpreter.implementation)).sorted {
            ($0.lowercased() == "pypy" ? 0 : 1, $0) < ($1.lowercased() == "pypy" ? 0 : 1, $1)
        }.filter { seen.insert($0.lowercased()).inserted }
        let versions = implementations.map {
            (implementation: $0, versions: VersionComparison.versions(statistics, implementation: $0))
        }
        var changes: [VersionComparison] = []
        for implementation in implementations {
            for pair in VersionComparison.consecutivePairs(
                statistics, implementation: implementation, minimumMachines: settings.minimumMachines)
            {
                changes.append(compare(statistics, implementation: implementation, from: pair.from, to: pair.to))
            }
        }
        var generator = SplitMix64(seed: FNV1a.hash64(joining: ["speedups"]))
        let speedups = ImplementationComparison.compare(statistics, settings: settings, using: &generator)
        let fresh = Snapshot(
            revision: revision, statistics: statistics, versions: versions, changes: changes, speedups: speedups,
            updated: updated, bests: bests)
        snapshot = fresh
        asked = [:]
        drifts = [:]
        return fresh
    }

    /// How PyPy's best nursery moved from `from` to `to`, from the current revision.
    func drift(_ snapshot: Snapshot, from: String, to: String) -> NurseryDrift {
        let key = [from, to].joined(separator: "\u{1F}")
        let current = snapshot.revision == self.snapshot?.revision
        if current, let cached = drifts[key] { return cached }
        var generator = SplitMix64(seed: FNV1a.hash64(joining: ["drift", from, to]))
        let result = NurseryDrift.estimate(bests: snapshot.bests, from: from, to: to, using: &generator)
        if current { drifts[key] = result }
        return result
    }

    /// `from` against `to` of `implementation`, from the current revision.
    func comparison(_ snapshot: Snapshot, implementation: String, from: String, to: String) -> VersionComparison {
        if let change = snapshot.changes.first(where: {
            $0.implementation == implementation && $0.from == from && $0.to == to
        }) {
            return change
        }
        let key = [implementation, from, to].joined(separator: "\u{1F}")
        if snapshot.revision == self.snapshot?.revision, let cached = asked[key] { return cached }
        let result = compare(snapshot.statistics, implementation: implementation, from: from, to: to)
        if snapshot.revision == self.snapshot?.revision { asked[key] = result }
        return result
    }

    /// One comparison with its own seed.
    private func compare(
        _ statistics: [MachineStatistic], implementation: String, from: String, to: String
    ) -> VersionComparison {
        var generator = SplitMix64(seed: FNV1a.hash64(joining: [implementation, from, to]))
        return VersionComparison.compare(
            statistics, implementation: implementation, from: from, to: to, settings: settings, using: &generator)
    }
}
