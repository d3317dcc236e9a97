import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// A machine's own history across interpreter versions (on its page): per implementation, its
/// figure for each benchmark key and version (the median CPU time of its samples in its most
/// recent runs of that version, as the version comparisons pair them), and the change from the
/// previous version it measured. One machine, so no interval: the changes page says what holds
/// across machines.
struct MachineHistory: Sendable {
    struct Cell: Sendable {
        var value: String
        /// `+6.0%` against the previous version this machine measured for the key; nil for the first.
        var change: String?
    }

    struct Row: Sendable {
        var label: String
        var cells: [Cell]
    }

    struct Implementation: Sendable {
        var name: String
        var versions: [String]
        var rows: [Row]
    }

    var implementations: [Implementation]
    /// True when some implementation has two versions: only then is there a history to show.
    var hasHistory: Bool

    init(_ statistics: [MachineStatistic]) {
        var figures: [String: [BenchmarkKey: [String: Double]]] = [:]
        for statistic in statistics {
            figures[statistic.interpreter.implementation, default: [:]][statistic.key, default: [:]][
                statistic.interpreter.version] = statistic.cpuMs
        }
        implementations = figures.keys.sorted().map { name in
            let byKey = figures[name] ?? [:]
            let versions = Set(byKey.values.flatMap(\.keys)).sorted(by: InterpreterKey.versionPrecedes)
            let rows = byKey.keys.sorted().map { key in
                var previous: Double?
                let cells = versions.map { version -> Cell in
                    guard let value = byKey[key]?[version] else { return Cell(value: "—", change: nil) }
                    defer { previous = value }
                    return Cell(
                        value: Format.milliseconds(value), change: previous.map { Format.signedPercent(value / $0 - 1) }
                    )
                }
                return Row(label: "\(key.benchmark) (\(ComparisonRowView.params(key.params)))", cells: cells)
            }
            return Implementation(name: name, versions: versions, rows: rows)
        }
        hasHistory = implementations.contains { $0.versions.count >= 2 }
    }
}
