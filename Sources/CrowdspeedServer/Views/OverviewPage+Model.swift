import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation
import Mustache

/// The overview (`/`): counts, the served formula beside PyPy's rule, the headline chart of
/// best nursery against cache size, and the latest submissions.
struct OverviewPageModel: Sendable {
    /// One headline number.
    struct Stat: Sendable {
        var label: String
        var value: String
    }

    /// The served formula with its held-out numbers.
    struct FormulaHeadline: Sendable {
        var name: String
        var text: String
        var version: Int
        var createdAt: String
        var machines: Int
        var curves: Int
        var cpuModels: Int
        var regret: String
        var pypyRegret: String
        var bestConstantRegret: String
        var noiseFloor: String
        var gain: String
        var synthetic: Bool
    }

    /// One row of the latest submissions.
    struct LatestRow: Sendable {
        var received: String
        var receivedISO: String
        var machineHref: String
        var machine: String
        var interpreter: String
        var source: String
        var samples: String
        var rawHref: String
    }

    var page: PageLayout
    var counts: [Stat]
    var formula: FormulaHeadline?
    var latest: [LatestRow]
    var hasLatest: Bool
    /// The chart's table, rendered once per chart (see ``OverviewChart``).
    var chartTableHTML: RenderedHTML
    var chartJSON: ScriptJSON

    /// Builds the page from aggregates.
    ///
    /// - Parameters:
    ///   - counts: the headline counts.
    ///   - latest: the newest submissions.
    ///   - chart: the headline chart, built for `formula`.
    ///   - formula: the served formula, nil before the first fit.
    ///   - site: shared page settings.
    init(
        counts: DashboardCounts, latest: [LatestSubmission], chart: OverviewChart, formula: FittedFormula?,
        site: SiteSettings
    ) {
        page = PageLayout(title: "Overview", section: .overview, site: site, scripts: ["overview.js"])
        self.counts = [
            Stat(label: "Machines", value: Format.count(counts.machines)),
            Stat(label: "Runs", value: Format.count(counts.submissions)),
            Stat(label: "Samples", value: Format.count(counts.samples)),
            Stat(label: "Interpreter versions", value: Format.count(counts.interpreters)),
            Stat(label: "Last submission", value: Format.date(counts.lastReceivedAt)),
        ]
        self.formula = formula.map { fitted in
            let metrics = fitted.summary.metrics
            return FormulaHeadline(
                name: metrics.globalName, text: metrics.globalText, version: fitted.version,
                createdAt: Format.date(fitted.summary.createdAt), machines: metrics.machines, curves: metrics.curves,
                cpuModels: metrics.cpuModels, regret: Format.percent(metrics.heldOutRegret),
                pypyRegret: Format.percent(metrics.pypyDefaultRegret),
                bestConstantRegret: Format.percent(metrics.bestConstantRegret),
                noiseFloor: Format.percent(metrics.noiseFloor), gain: Format.percent(metrics.gainOverDefault),
                synthetic: fitted.isSynthetic)
        }
        self.latest = latest.map { submission in
            LatestRow(
                received: Format.date(submission.receivedAt), receivedISO: Format.isoDate(submission.receivedAt),
                machineHref: "/machines/\(submission.machineID)",
                machine: "\(submission.cpuVendor) \(submission.cpuModel)",
                interpreter: "\(submission.implementation) \(submission.interpreterVersion)",
                source: submission.source.rawValue,
                samples: Format.count(submission.sampleCount),
                rawHref: "/api/v1/submissions/\(submission.id.uuidString.lowercased())")
        }
        hasLatest = !latest.isEmpty
        chartTableHTML = chart.tableHTML
        chartJSON = chart.json
    }
}
