import Foundation
/// The part of every page model that the shared `layout` template reads: title, navigation,
/// banners and the page's scripts. Stored properties only: templates see them through `Mirror`.
struct PageLayout: Sendable {
    /// One navigation entry.
    struct NavItem: Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    var title: String
    var nav: [NavItem]
    var demo: Bool
    var chartsAvailable: Bool
    /// Module scripts under `/static/`, loaded after Chart.js.
    var scripts: [String]

    /// The sections in the navigation bar, in order.
    enum Section: String, CaseIterable, Sendable {
        case overview, machines, compare, formulas, timeline, changes, versions, data, submit

        var href: String { self == .overview ? "/" : "/\(rawValue)" }
        var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
    }

    /// The layout of a page in `section` (nil: none highlighted, e.g. error pages).
    init(title: String, section: Section?, site: SiteSettings, scripts: [String] = []) {
        self.title = title
        self.nav = Section.allCases.map { NavItem(href: $0.href, label: $0.label, current: $0 == section) }
        self.demo = site.demo
        self.chartsAvailable = site.chartsAvailable
        // Without Chart.js the chart modules have nothing to draw with; the tables stand alone.
        self.scripts = site.chartsAvailable ? scripts : []
    }
}
