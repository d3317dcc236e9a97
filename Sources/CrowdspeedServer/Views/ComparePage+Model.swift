import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// Compare (`/compare?m=ID&m=ID…`): 2–6 machines side by side — their one-process nursery
/// curves overlaid (each relative to its own PyPy default, so shapes compare across speeds),
/// the best sizes per process count, and their JSON timings.
struct ComparePageModel: Sendable {
    /// One compared machine.
    struct Machine: Sendable {
        var id: String
        var href: String
        var label: String
        var interpreter: String
        var l2: String
        var l3: String
        var cores: Int
        var best: String
        var interval: String
        var gain: String
    }

    /// A JSON variant with one value per (machine, interpreter) column.
    struct JSONRow: Sendable {
        var label: String
        var values: [String]
    }

    /// What `compare.js` draws.
    struct ChartData: Encodable, Sendable {
        struct Curve: Encodable, Sendable {
            var label: String
            var points: [CurveChart.Series.Point]
            var lower: Int64?
            var upper: Int64?
        }
        var curves: [Curve]
        var json: JSONTimingTable.ChartData
    }

    var page: PageLayout
    var machines: [Machine]
    var hasMachines: Bool
    var ids: String
    var jsonColumns: [String]
    var jsonRows: [JSONRow]
    var hasJSON: Bool
    var chartJSON: ScriptJSON

    /// Builds the comparison of `details` (in the order asked) with their curves and JSON summaries.
    init(details: [MachineDetail], curves: [String: [MachineCurve]], summaries: [ResultSummary], site: SiteSettings) {
        page = PageLayout(title: "Compare", section: .compare, site: site, scripts: ["compare.js"])
        var chartCurves: [ChartData.Curve] = []
        var rows: [Machine] = []
        var labelled: [ResultSummary] = []
        for detail in details {
            let summary = detail.summary
            let label = "\(summary.cpuModel) (\(summary.physicalCores)c)"
            // The newest PyPy version's one-process curve stands for the machine.
            let group = CurveChart.groups(curves[summary.id] ?? []).first
            let one = group?.curves.first { $0.key.procs == 1 } ?? group?.curves.first
            if let one {
                chartCurves.append(
                    ChartData.Curve(
                        label: label,
                        points: one.summary.points.filter(\.relativeTime.isFinite).map {
                            .init(nursery: $0.nurseryBytes, relative: $0.relativeTime)
                        },
                        lower: one.summary.best?.intervalLowerBytes, upper: one.summary.best?.intervalUpperBytes))
            }
            let best = one?.summary.best
            rows.append(
                Machine(
                    id: summary.id, href: "/machines/\(summary.id)", label: label,
                    interpreter: one.map {
                        "\($0.key.implementation) \($0.key.interpreterVersion), \($0.key.procs) proc."
                    } ?? "—",
                    l2: Format.bytes(summary.l2Bytes), l3: Format.bytes(summary.l3Bytes), cores: summary.physicalCores,
                    best: Format.bytes(best?.nurseryBytes),
                    interval: best.flatMap { b in
                        b.intervalLowerBytes.flatMap { l in
                            b.intervalUpperBytes.map { "\(Format.bytes(l))–\(Format.bytes($0))" }
                        }
                    } ?? "—",
                    gain: Format.signedPercent(one?.summary.gainOverDefault)))
            // JSON columns are "machine · interpreter": relabel the implementation so the table pivots on both.
            for var s in summaries where s.machineID == summary.id {
                s.implementation = "\(label) · \(s.implementation)"
                labelled.append(s)
            }
        }
        machines = rows
        hasMachines = !rows.isEmpty
        ids = details.map(\.summary.id).joined(separator: " ")
        let table = JSONTimingTable(labelled)
        jsonColumns = table.interpreters
        jsonRows = table.rowLabels.indices.map {
            JSONRow(label: table.rowLabels[$0], values: table.values[$0].map { Format.milliseconds($0) })
        }
        hasJSON = !table.rowLabels.isEmpty
        chartJSON = ScriptJSON(ChartData(curves: chartCurves, json: table.chartData))
    }
}
