import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// Changes (`/changes`): each version against the previous one, newest first, with the rows
/// that changed (regressions first) and the machines behind each.
struct ChangesPageModel: Sendable {
    struct Change: Sendable {
        var title: String
        var href: String
        var machines: Int
        var regressions: Int
        var improvements: Int
        var rows: [ComparisonRowView]
        var hasRows: Bool
    }

    var page: PageLayout
    var changes: [Change]
    var hasChanges: Bool
    var method: [String]

    init(snapshot: SpeedCenter.Snapshot, site: SiteSettings) {
        page = PageLayout(title: "Changes", section: .changes, site: site)
        changes = snapshot.changes.map { comparison in
            let rows = ComparisonRowView.changed(comparison.rows)
            return Change(
                title: "\(comparison.implementation) \(comparison.from) → \(comparison.to)",
                href: ChangesDocument.link(comparison, api: false),
                machines: comparison.rows.map(\.machines).max() ?? 0,
                regressions: comparison.rows.filter { $0.verdict == .regression }.count,
                improvements: comparison.rows.filter { $0.verdict == .improvement }.count, rows: rows,
                hasRows: !rows.isEmpty)
        }
        hasChanges = !changes.isEmpty
        method = ComparisonMethodText.paragraphs()
    }
}
