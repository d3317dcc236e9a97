import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// JSON timings pivoted for a table and a grouped bar chart: one row per benchmark variant
/// (`dumps · records · json`), one column per interpreter (`PyPy 7.3.17`, `CPython 3.11.2`).
/// When a machine ran the same variant on the same interpreter several times, the newest wins.
struct JSONTimingTable: Sendable {
    /// What the bar charts draw: `values[interpreter][row]` in milliseconds, nil when missing.
    struct ChartData: Encodable, Sendable {
        var rows: [String]
        var interpreters: [String]
        var values: [[Double?]]
    }

    var rowLabels: [String]
    /// PyPy first, then other implementations, each by ascending version.
    var interpreters: [String]
    /// `values[row][interpreter]`.
    var values: [[Double?]]

    /// Pivots `summaries` (JSON benchmarks only).
    init(_ summaries: [ResultSummary]) {
        var cells: [String: [String: Double]] = [:]
        var interpreterKeys: Set<Interpreter> = []
        for summary in summaries {
            guard let ms = summary.medianCPUMs else { continue }
            let interpreter = Interpreter(implementation: summary.implementation, version: summary.interpreterVersion)
            interpreterKeys.insert(interpreter)
            // Results come ordered by result id, so a later (newer) run overwrites an older one.
            cells[Self.rowLabel(summary), default: [:]][interpreter.label] = ms
        }
        let ordered = interpreterKeys.sorted { a, b in
            let rankA = (a.implementation == "PyPy" ? 0 : 1, a.implementation)
            let rankB = (b.implementation == "PyPy" ? 0 : 1, b.implementation)
            return rankA != rankB ? rankA < rankB : VersionOrder.ascending(a.version, b.version)
        }
        interpreters = ordered.map(\.label)
        rowLabels = cells.keys.sorted()
        values = rowLabels.map { row in ordered.map { cells[row]?[$0.label] } }
    }

    /// The chart's form: one series per interpreter.
    var chartData: ChartData {
        ChartData(
            rows: rowLabels, interpreters: interpreters,
            values: interpreters.indices.map { column in values.map { $0[column] } })
    }

    /// `dumps · records · json` from `json.dumps` with payload `records` and library `json`.
    static func rowLabel(_ summary: ResultSummary) -> String {
        let name = summary.benchmark.hasPrefix("json.") ? String(summary.benchmark.dropFirst(5)) : summary.benchmark
        return [name, summary.payload, summary.library].compactMap { $0 }.joined(separator: " · ")
    }

    /// An interpreter column.
    private struct Interpreter: Hashable {
        var implementation: String
        var version: String
        var label: String { "\(implementation) \(version)" }
    }
}
