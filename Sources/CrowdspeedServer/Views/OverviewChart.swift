import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Mustache

/// The overview's headline chart: each charted machine's measured best nursery at one process,
/// the formula's prediction and PyPy's default, against its last-level cache; as the JSON that
/// `overview.js` draws and as the table beside it, rendered once.
///
/// Building and rendering up to 2000 rows took most of the overview's time at 100k machines, and
/// the chart is shared by every request for a while (``OverviewPageController``), so it is built
/// here whole rather than by each page.
struct OverviewChart: Sendable {
    /// One machine in the table.
    struct Row: Sendable {
        var href: String
        var label: String
        var l2: String
        var llc: String
        var cores: Int
        var best: String
        var predicted: String
        var pypyDefault: String
    }

    /// What `overview.js` draws: one point per machine, sizes in bytes.
    struct Data: Encodable, Sendable {
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

    /// The table's template model.
    private struct TableModel: Sendable {
        var count: Int
        var rows: [Row]
    }

    let tableHTML: RenderedHTML
    let json: ScriptJSON

    /// Builds the chart of `machines` (rows without a best nursery or an L2 size are skipped)
    /// with `formula`'s predictions, nil before the first fit.
    init(machines: [MachineTableRow], formula: FittedFormula?, renderer: PageRenderer) {
        var points: [Data.Point] = []
        var rows: [Row] = []
        for row in machines {
            let summary = row.summary
            guard let best = row.bestNurseryBytes, let l2 = summary.l2Bytes else { continue }
            let features = MachineFeatures(
                l2Bytes: l2, l3Bytes: summary.l3Bytes, physicalCores: summary.physicalCores, procs: 1,
                arch: summary.arch, cpuVendor: summary.cpuVendor, cpuinfoCacheBytes: summary.cpuinfoCacheBytes)
            let predicted = formula.map {
                $0.report.evaluation(for: features.hardwareClass).evaluation.formula.predict(features)
            }
            let pypyDefault = PyPyDefaultRule.nurseryBytes(version: nil, features: features)
            points.append(
                Data.Point(
                    machine: summary.cpuModel, llc: features.lastLevelCacheBytes, best: best, predicted: predicted,
                    pypyDefault: pypyDefault))
            rows.append(
                Row(
                    href: "/machines/\(summary.id)", label: summary.cpuModel, l2: Format.bytes(l2),
                    llc: Format.bytes(features.lastLevelCacheBytes), cores: summary.physicalCores,
                    best: Format.bytes(best), predicted: Format.bytes(predicted), pypyDefault: Format.bytes(pypyDefault)
                ))
        }
        tableHTML = renderer.renderFragment(TableModel(count: rows.count, rows: rows), template: "overview-chart")
        json = ScriptJSON(Data(points: points, formulaName: formula?.summary.metrics.globalName))
    }
}

/// Fields by name without reflection: one of these is rendered per charted machine (up to
/// 2000), and swift-mustache's `Mirror` lookup of each field was a quarter of the overview's
/// time at 100k machines.
extension OverviewChart.Row: MustacheParent {
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
