import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// One comparison row as the changes and versions pages show it: every number formatted, and
/// the machines behind it as links.
struct ComparisonRowView: Sendable {
    struct MachineLink: Sendable {
        var id: String
        var href: String
    }

    var benchmark: String
    var params: String
    /// `every machine` for the overall row, else `arch/vendor`.
    var hardwareClass: String
    var machines: Int
    var ratio: String
    /// The ratio as a change of CPU time: `+6.0%`.
    var change: String
    var interval: String
    var verdict: String
    /// `regression`, `improvement` or empty: the row's CSS class.
    var highlight: String
    var machineLinks: [MachineLink]

    init(_ row: ComparisonRow) {
        benchmark = row.benchmark
        params = Self.params(row.params)
        hardwareClass = row.hardwareClass?.description ?? "every machine"
        machines = row.machines
        ratio = Format.ratio(row.ratio)
        change = Format.signedPercent(row.ratio - 1)
        interval = row.lower.isFinite ? "\(Format.ratio(row.lower))–\(Format.ratio(row.upper))" : "—"
        verdict = row.verdict.rawValue.replacingOccurrences(of: "_", with: " ")
        highlight = row.verdict == .regression || row.verdict == .improvement ? row.verdict.rawValue : ""
        machineLinks = row.machineIDs.map { MachineLink(id: $0, href: "/machines/\(QueryEncoding.encode($0))") }
    }

    /// `procs 2, default nursery` or `records, json`.
    static func params(_ params: ComparisonParams) -> String {
        var parts: [String] = []
        if let payload = params.payload { parts.append(payload) }
        if let library = params.library { parts.append(library) }
        if let procs = params.procs { parts.append("\(procs) process\(procs == 1 ? "" : "es")") }
        switch params.nursery {
        case .default?: parts.append("default nursery")
        case .best?: parts.append("best nursery")
        case nil: break
        }
        return parts.joined(separator: ", ")
    }

    /// `gcbench (1 process, default nursery) on x86_64/AuthenticAMD`: a row in one line of text.
    static func describe(_ row: ComparisonRow) -> String {
        "\(row.benchmark) (\(params(row.params))) on \(row.hardwareClass?.description ?? "every machine")"
    }

    /// The rows that changed, regressions first, each group by key.
    static func changed(_ rows: [ComparisonRow]) -> [ComparisonRowView] {
        (rows.filter { $0.verdict == .regression } + rows.filter { $0.verdict == .improvement }).map(Self.init)
    }
}

/// The methods in plain words, shared by the changes and versions pages.
enum ComparisonMethodText {
    static func paragraphs(_ settings: ComparisonSettings = ComparisonSettings()) -> [String] {
        let threshold = String(format: "%g%%", 100 * settings.practicalThreshold)
        return [
            "Only machines that measured both versions count: each machine is compared with itself, so a change "
                + "in who submitted never looks like a change in speed. Each machine's figure is the median CPU "
                + "time of its samples in its \(StatisticWindow.submissionLimit) most recent runs of that version.",
            "The ratio is the geometric mean over machines of new time / old time: above 1 the new version takes "
                + "more CPU time. The interval is a 95% bootstrap interval over machines: it shows how much the "
                + "ratio could move if a different set of machines had submitted.",
            "A row is a regression or an improvement only when three things hold: the change is larger than "
                + "\(threshold) (smaller changes matter to nobody), the interval lies entirely on one side of 1, "
                + "and the change stays significant after the Benjamini–Hochberg correction, which keeps the "
                + "share of false alarms among all reported changes of one comparison below "
                + String(format: "%g%%", 100 * settings.falseDiscoveryRate) + ". Rows resting on fewer than "
                + "\(settings.minimumMachines) machines say 'not enough data'.",
        ]
    }
}
