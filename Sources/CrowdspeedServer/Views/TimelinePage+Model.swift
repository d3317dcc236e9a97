import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// Timeline (`/timeline`): gcbench and JSON results across interpreter versions — per
/// version, the median over machines of each machine's median time at the default setting
/// with one process. Different versions were measured on different sets of machines, so the
/// machine counts are shown beside every median.
struct TimelinePageModel: Sendable {
    /// One benchmark variant with one cell per interpreter version.
    struct Row: Sendable {
        var label: String
        var values: [String]
    }

    /// What `timeline.js` draws: `values[row][version]` medians in ms, nil when unmeasured.
    struct ChartData: Encodable, Sendable {
        struct Chart: Encodable, Sendable {
            var versions: [String]
            var rows: [String]
            var values: [[Double?]]
        }
        var gcbench: Chart
        var json: Chart
    }

    var page: PageLayout
    var gcVersions: [String]
    var gcRows: [Row]
    var hasGC: Bool
    var jsonVersions: [String]
    var jsonRows: [Row]
    var hasJSON: Bool
    var chartJSON: ScriptJSON

    /// Builds both tables from per-machine timings.
    init(timings: [InterpreterTiming], site: SiteSettings) {
        page = PageLayout(title: "Timeline", section: .timeline, site: site, scripts: ["timeline.js"])
        let gc = Self.pivot(timings.filter { $0.benchmark == BenchmarkName.gcbench }) { _ in
            "gcbench, default nursery, 1 process"
        }
        let json = Self.pivot(timings.filter { $0.benchmark != BenchmarkName.gcbench }) { timing in
            let name = timing.benchmark.hasPrefix("json.") ? String(timing.benchmark.dropFirst(5)) : timing.benchmark
            return [name, timing.payload, timing.library].compactMap { $0 }.joined(separator: " · ")
        }
        gcVersions = gc.versions
        gcRows = gc.rows
        hasGC = !gc.rows.isEmpty
        jsonVersions = json.versions
        jsonRows = json.rows
        hasJSON = !json.rows.isEmpty
        chartJSON = ScriptJSON(ChartData(gcbench: gc.chart, json: json.chart))
    }

    /// Pivots timings into rows (by `label`) × interpreter versions (PyPy first, ascending).
    private static func pivot(_ timings: [InterpreterTiming], label: (InterpreterTiming) -> String) -> (
        versions: [String], rows: [Row], chart: ChartData.Chart
    ) {
        var cells: [String: [String: [Double]]] = [:]
        var versions: [String: (implementation: String, version: String)] = [:]
        for timing in timings {
            let column = "\(timing.implementation) \(timing.interpreterVersion)"
            versions[column] = (timing.implementation, timing.interpreterVersion)
            cells[label(timing), default: [:]][column, default: []].append(timing.medianCPUMs)
        }
        let columns = versions.sorted { a, b in
            let rankA = (a.value.implementation == "PyPy" ? 0 : 1, a.value.implementation)
            let rankB = (b.value.implementation == "PyPy" ? 0 : 1, b.value.implementation)
            return rankA != rankB ? rankA < rankB : VersionOrder.ascending(a.value.version, b.value.version)
        }.map(\.key)
        let labels = cells.keys.sorted()
        let medians: [[(Double, Int)?]] = labels.map { row in
            columns.map { column in
                cells[row]?[column].flatMap { values in ResultMedian.of(values).map { ($0, values.count) } }
            }
        }
        let rows = labels.indices.map { index in
            Row(
                label: labels[index],
                values: medians[index].map { cell in
                    cell.map { "\(Format.milliseconds($0.0)) (\($0.1) machine\($0.1 == 1 ? "" : "s"))" } ?? "—"
                })
        }
        return (
            columns, rows, ChartData.Chart(versions: columns, rows: labels, values: medians.map { $0.map { $0?.0 } })
        )
    }
}

/// The median of a list of numbers, nil when empty.
enum ResultMedian {
    static func of(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}
