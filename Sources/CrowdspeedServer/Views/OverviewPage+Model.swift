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

    /// One machine in the headline chart's table.
    struct ScatterRow: Sendable {
        var href: String
        var label: String
        var l2: String
        var llc: String
        var cores: Int
        var best: String
        var predicted: String
        var pypyDefault: String
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

    /// What `overview.js` draws: one point per machine, sizes in bytes.
    struct ChartData: Encodable, Sendable {
        struct Point: Encodable, Sendable {
            var machine: String
            var llc: Int64
            var best: Int64
            var predicted: Int64?
            var pypyDefault: Int64
        }
        var points: [Point]
        var formulaName: String?
    }

    var page: PageLayout
    var counts: [Stat]
    var formula: FormulaHeadline?
    var scatter: [ScatterRow]
    var scatterCount: Int
    var latest: [LatestRow]
    var hasLatest: Bool
    var chartJSON: ScriptJSON

    /// Builds the page from aggregates.
    ///
    /// - Parameters:
    ///   - counts: the headline counts.
    ///   - latest: the newest submissions.
    ///   - machines: machines with their best nursery at one process (rows without one are skipped).
    ///   - formula: the served formula, nil before the first fit.
    ///   - site: shared page settings.
    init(
        counts: DashboardCounts, latest: [LatestSubmission], machines: [MachineTableRow], formula: FittedFormula?,
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
        var points: [ChartData.Point] = []
        var rows: [ScatterRow] = []
        for row in machines {
            let summary = row.summary
            guard let best = row.bestNurseryBytes, let l2 = summary.l2Bytes else { continue }
            let features = MachineFeatures(
                l2Bytes: l2, l3Bytes: summary.l3Bytes, physicalCores: summary.physicalCores, procs: 1,
                arch: summary.arch,
                cpuVendor: summary.cpuVendor, cpuinfoCacheBytes: summary.cpuinfoCacheBytes)
            let predicted = formula.map {
                $0.report.evaluation(for: features.hardwareClass).evaluation.formula.predict(features)
            }
            let pypyDefault = PyPyDefaultRule.nurseryBytes(version: nil, features: features)
            points.append(
                ChartData.Point(
                    machine: summary.cpuModel, llc: features.lastLevelCacheBytes, best: best, predicted: predicted,
                    pypyDefault: pypyDefault))
            rows.append(
                ScatterRow(
                    href: "/machines/\(summary.id)", label: summary.cpuModel, l2: Format.bytes(l2),
                    llc: Format.bytes(features.lastLevelCacheBytes), cores: summary.physicalCores,
                    best: Format.bytes(best),
                    predicted: Format.bytes(predicted), pypyDefault: Format.bytes(pypyDefault)))
        }
        scatter = rows
        scatterCount = rows.count
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
        chartJSON = ScriptJSON(ChartData(points: points, formulaName: formula?.summary.metrics.globalName))
    }
}

/// Fields by name without reflection: the overview renders one of these per charted machine
/// (up to 2000), and swift-mustache's `Mirror` lookup of each field was a quarter of the page's
/// time at 100k machines.
extension OverviewPageModel.ScatterRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "href": href
        case "label": label
        case "l2": l2
        case "llc": llc
        case "cores": cores
        case "best": best
        case "predicted": predicted
        case "pypyDefault": pypyDefault
        default: nil
        }
    }
}
