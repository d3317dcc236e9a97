import CrowdspeedStore
import Foundation
import Mustache

/// The machines table (`/machines`): sorted and filtered by query parameters, so it works
/// without JavaScript; `machines.js` only adds instant filtering of the rows on screen.
struct MachinesPageModel: Sendable {
    /// A sortable column header: its link sorts by it (toggling the direction when it is the
    /// current sort).
    struct Column: Sendable {
        var label: String
        var href: String
        var numeric: Bool
        /// `ascending`/`descending` on the sorted column, for assistive technology.
        var ariaSort: String?
    }

    /// One machine.
    struct Row: Sendable {
        var id: String
        var href: String
        var vendor: String
        var model: String
        var virtualized: Bool
        var l2: String
        var l3: String
        var cores: Int
        var runs: Int
        var best: String
        var gain: String
        var seen: String
        var seenISO: String
    }

    var page: PageLayout
    var filter: String?
    var sort: String
    var dir: String
    var matching: Int
    var columns: [Column]
    var rows: [Row]
    var hasRows: Bool
    var previousHref: String?
    var nextHref: String?
    var pageLabel: String

    /// The columns in display order with their sort keys.
    static let columnKeys: [(MachineTableQuery.SortKey, String, Bool)] = [
        (.vendor, "Vendor", false), (.model, "Model", false), (.l2, "L2", true), (.l3, "L3", true),
        (.cores, "Cores", true), (.runs, "Runs", true), (.best, "Best nursery", true),
        (.gain, "Gain over default", true),
        (.seen, "Last seen", true),
    ]

    /// Builds the page for `query` and its result.
    init(query: MachineTableQuery, result: MachineTablePage, site: SiteSettings) {
        page = PageLayout(title: "Machines", section: .machines, site: site, scripts: ["machines.js"])
        filter = query.filter
        sort = query.sort.rawValue
        dir = query.descending ? "desc" : "asc"
        matching = result.matching
        columns = Self.columnKeys.map { key, label, numeric in
            let isCurrent = key == query.sort
            // A new column starts ascending for text, descending (largest first) for numbers.
            let descending = isCurrent ? !query.descending : numeric
            return Column(
                label: label,
                href: Self.href(filter: query.filter, sort: key, descending: descending, offset: 0),
                numeric: numeric, ariaSort: isCurrent ? (query.descending ? "descending" : "ascending") : nil)
        }
        rows = result.rows.map { row in
            let summary = row.summary
            return Row(
                id: summary.id, href: "/machines/\(summary.id)", vendor: summary.cpuVendor, model: summary.cpuModel,
                virtualized: false, l2: Format.bytes(summary.l2Bytes), l3: Format.bytes(summary.l3Bytes),
                cores: summary.physicalCores, runs: summary.submissionCount, best: Format.bytes(row.bestNurseryBytes),
                gain: Format.signedPercent(row.gainOverDefault), seen: Format.date(summary.lastSeen),
                seenISO: Format.isoDate(summary.lastSeen))
        }
        hasRows = !rows.isEmpty
        previousHref =
            query.offset > 0
            ? Self.href(
                filter: query.filter, sort: query.sort, descending: query.descending,
                offset: max(0, query.offset - query.limit))
            : nil
        nextHref =
            query.offset + result.rows.count < result.matching
            ? Self.href(
                filter: query.filter, sort: query.sort, descending: query.descending, offset: query.offset + query.limit
            )
            : nil
        pageLabel =
            result.rows.isEmpty ? "" : "\(query.offset + 1)–\(query.offset + result.rows.count) of \(result.matching)"
    }

    /// A link to the table with these settings; the filter is percent-encoded here and the
    /// whole link HTML-escaped by the template.
    static func href(filter: String?, sort: MachineTableQuery.SortKey, descending: Bool, offset: Int) -> String {
        var items: [String] = []
        if let filter, !filter.isEmpty { items.append("q=" + QueryEncoding.encode(filter)) }
        items.append("sort=\(sort.rawValue)")
        items.append("dir=\(descending ? "desc" : "asc")")
        if offset > 0 { items.append("offset=\(offset)") }
        return "/machines?" + items.joined(separator: "&")
    }
}

/// Fields by name without reflection (see ``OverviewPageModel/ScatterRow``).
extension MachinesPageModel.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "href": href
        case "vendor": vendor
        case "model": model
        case "virtualized": virtualized
        case "l2": l2
        case "l3": l3
        case "cores": cores
        case "runs": runs
        case "best": best
        case "gain": gain
        case "seen": seen
        case "seenISO": seenISO
        default: nil
        }
    }
}
