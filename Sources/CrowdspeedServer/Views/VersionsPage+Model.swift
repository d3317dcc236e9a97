import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// Versions (`/versions`): two versions of one implementation compared row by row, picked with
/// a plain GET form, and PyPy against CPython on the same machines.
struct VersionsPageModel: Sendable {
    struct Option: Sendable {
        var value: String
        var selected: Bool
    }

    var page: PageLayout
    var implementations: [Option]
    var fromVersions: [Option]
    var toVersions: [Option]
    /// Nil before any two versions share enough machines.
    var title: String?
    var apiHref: String?
    var rows: [ComparisonRowView]
    var hasRows: Bool
    var speedups: [SpeedupRow]
    var hasSpeedups: Bool
    /// How the best nursery moved (PyPy only); empty when no machine has curves in both.
    var drift: [DriftRow]
    var hasDrift: Bool
    var method: [String]

    /// One row of the nursery drift: `×2.00 (1.41–2.83)`, machines up, down and unchanged.
    struct DriftRow: Sendable {
        var hardwareClass: String
        var machines: Int
        var factor: String
        var interval: String
        var up: Int
        var down: Int
        var unchanged: Int
    }

    /// One row of PyPy against CPython: `2.1× faster`.
    struct SpeedupRow: Sendable {
        var benchmark: String
        var params: String
        var hardwareClass: String
        var machines: Int
        var speedup: String
        var interval: String
    }

    init(
        snapshot: SpeedCenter.Snapshot, query: VersionQuery?, comparison: VersionComparison?, drift: NurseryDrift?,
        site: SiteSettings
    ) {
        page = PageLayout(title: "Versions", section: .versions, site: site)
        let implementation = query?.implementation ?? snapshot.versions.first?.implementation
        implementations = snapshot.versions.map {
            Option(value: $0.implementation, selected: $0.implementation == implementation)
        }
        let versions = implementation.flatMap { snapshot.versions(of: $0)?.versions } ?? []
        fromVersions = versions.map { Option(value: $0, selected: $0 == query?.from) }
        toVersions = versions.map { Option(value: $0, selected: $0 == query?.to) }
        title = comparison.map { "\($0.implementation) \($0.from) → \($0.to)" }
        apiHref = comparison.map { ChangesDocument.link($0, api: true) }
        // Changes first, then the rest in key order: what moved is what a reader came for.
        let all = comparison?.rows ?? []
        rows =
            ComparisonRowView.changed(all)
            + all.filter { $0.verdict != .regression && $0.verdict != .improvement }.map(ComparisonRowView.init)
        hasRows = !rows.isEmpty
        speedups = snapshot.speedups.rows.map { row in
            let interval = row.speedupInterval
            return SpeedupRow(
                benchmark: row.benchmark, params: ComparisonRowView.params(row.params),
                hardwareClass: row.hardwareClass?.description ?? "every machine", machines: row.machines,
                speedup: row.speedup.isFinite ? String(format: "%.2f×", row.speedup) : "—",
                interval: interval.lower.isFinite
                    ? String(format: "%.2f–%.2f×", interval.lower, interval.upper) : "—")
        }
        hasSpeedups = !speedups.isEmpty
        let factor = { (log2: Double) in log2.isFinite ? String(format: "×%.2f", exp2(log2)) : "—" }
        self.drift = (drift?.rows ?? []).filter { $0.machines > 0 }.map { row in
            DriftRow(
                hardwareClass: row.hardwareClass?.description ?? "every machine", machines: row.machines,
                factor: factor(row.medianShiftLog2),
                interval: row.lower.isFinite ? "\(factor(row.lower))–\(factor(row.upper))" : "—", up: row.up,
                down: row.down, unchanged: row.unchanged)
        }
        hasDrift = !self.drift.isEmpty
        method = ComparisonMethodText.paragraphs()
    }
}
