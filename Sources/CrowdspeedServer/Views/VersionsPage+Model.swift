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
    var method: [String]

    /// One row of PyPy against CPython: `2.1× faster`.
    struct SpeedupRow: Sendable {
        var benchmark: String
        var params: String
        var hardwareClass: String
        var machines: Int
        var speedup: String
        var interval: String
    }

    init(snapshot: SpeedCenter.Snapshot, query: VersionQuery?, comparison: VersionComparison?, site: SiteSettings) {
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
        method = ComparisonMethodText.paragraphs()
    }
}
