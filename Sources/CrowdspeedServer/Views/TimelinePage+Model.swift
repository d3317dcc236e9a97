import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Timeline (`/timeline`): per implementation — never one line across two — each benchmark
/// variant across its versions. Every cell gives two numbers, each with what it rests on:
/// the median over machines of each machine's median CPU time (not paired: different versions
/// were measured on different machines), and the step from the previous version as the paired
/// ratio on the machines that measured both (from the changes' comparisons). The chart chains
/// the paired steps into an index (1 where a chain starts), so its lines show only paired changes.
struct TimelinePageModel: Sendable {
    /// One cell: a version of one variant.
    struct Cell: Sendable {
        /// `12.3 ms · 68 machines`, or an em dash when unmeasured.
        var level: String
        /// `×1.060 vs 7.3.16, paired on 63 machines`; nil for the first version.
        var step: String?
    }

    struct Row: Sendable {
        var label: String
        var cells: [Cell]
    }

    struct Implementation: Sendable {
        var name: String
        var versions: [String]
        var rows: [Row]
        /// The index `canvas` id, when the implementation has a paired step to draw.
        var chartID: String?
    }

    /// What `timeline.js` draws, one chart per implementation: `index[row][version]`, nil where
    /// the chain of paired steps is broken; `machines[row][version]` the machines of that step.
    struct ChartData: Encodable, Sendable {
        struct Chart: Encodable, Sendable {
            var id: String
            var implementation: String
            var versions: [String]
            var rows: [String]
            var index: [[Double?]]
            var machines: [[Int?]]
        }
        var charts: [Chart]
    }

    var page: PageLayout
    var implementations: [Implementation]
    var hasData: Bool
    var chartJSON: ScriptJSON

    /// A variant of a benchmark the timeline follows: gcbench at the default nursery with one
    /// process, and each JSON benchmark × payload × library.
    private struct Variant: Hashable, Comparable {
        var benchmark: String
        var payload: String?
        var library: String?

        var label: String {
            if benchmark == BenchmarkName.gcbench { return "gcbench, default nursery, 1 process" }
            let name = benchmark.hasPrefix("json.") ? String(benchmark.dropFirst(5)) : benchmark
            return [name, payload, library].compactMap { $0 }.joined(separator: " · ")
        }

        static func < (a: Variant, b: Variant) -> Bool { a.label < b.label }
    }

    init(timings: [InterpreterTiming], snapshot: SpeedCenter.Snapshot, site: SiteSettings) {
        page = PageLayout(title: "Timeline", section: .timeline, site: site, scripts: ["timeline.js"])
        // Per implementation, variant and version: the per-machine medians.
        var levels: [String: [Variant: [String: [Double]]]] = [:]
        for timing in timings {
            let variant = Variant(benchmark: timing.benchmark, payload: timing.payload, library: timing.library)
            levels[timing.implementation, default: [:]][variant, default: [:]][timing.interpreterVersion, default: []]
                .append(timing.medianCPUMs)
        }
        let names = levels.keys.sorted { ($0 == "PyPy" ? 0 : 1, $0) < ($1 == "PyPy" ? 0 : 1, $1) }
        var charts: [ChartData.Chart] = []
        implementations = names.map { name in
            let byVariant = levels[name] ?? [:]
            let versions = Set(byVariant.values.flatMap(\.keys)).sorted(by: VersionOrder.ascending)
            let variants = byVariant.keys.sorted()
            let changes = snapshot.changes.filter { $0.implementation == name }
            var rows: [Row] = []
            var index: [[Double?]] = []
            var machines: [[Int?]] = []
            for variant in variants {
                var cells: [Cell] = []
                var chain: [String: Double] = [:]
                var stepMachines: [Int?] = []
                for (position, version) in versions.enumerated() {
                    let values = byVariant[variant]?[version] ?? []
                    let level =
                        ResultMedian.of(values).map {
                            "\(Format.milliseconds($0)) · \(values.count) machine\(values.count == 1 ? "" : "s")"
                        } ?? "—"
                    var step: String?
                    var rested: Int?
                    if let change = changes.first(where: { $0.to == version }),
                        let row = Self.overallRow(change, variant: variant), row.ratio.isFinite
                    {
                        step = "×\(Format.ratio(row.ratio)) vs \(change.from), paired on \(row.machines) machines"
                        // A chain starts at 1 on the first version of a paired step.
                        let base = chain[change.from] ?? 1
                        chain[change.from] = base
                        chain[version] = base * row.ratio
                        rested = row.machines
                    } else if position > 0 {
                        step = "not paired with an earlier version"
                    }
                    cells.append(Cell(level: level, step: step))
                    stepMachines.append(rested)
                }
                rows.append(Row(label: variant.label, cells: cells))
                index.append(versions.map { chain[$0] })
                machines.append(stepMachines)
            }
            let drawable = index.contains { $0.dropFirst().contains { $0 != nil } }
            let id = "timeline-\(charts.count + 1)"
            if drawable {
                charts.append(
                    ChartData.Chart(
                        id: id, implementation: name, versions: versions, rows: variants.map(\.label), index: index,
                        machines: machines))
            }
            return Implementation(name: name, versions: versions, rows: rows, chartID: drawable ? id : nil)
        }
        hasData = !implementations.isEmpty
        chartJSON = ScriptJSON(ChartData(charts: charts))
    }

    /// The overall (every machine) row of `change` for `variant`'s key.
    private static func overallRow(_ change: VersionComparison, variant: Variant) -> ComparisonRow? {
        change.rows.first { row in
            guard row.hardwareClass == nil, row.benchmark == variant.benchmark else { return false }
            if variant.benchmark == BenchmarkName.gcbench {
                return row.params.nursery == .default && row.params.procs == 1
            }
            return row.params.payload == variant.payload && row.params.library == variant.library
        }
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
