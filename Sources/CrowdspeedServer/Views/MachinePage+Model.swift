import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation

/// One machine (`/machines/{id}`): its recommendation, nursery curves per interpreter version,
/// JSON timings per interpreter, its runs with links to their raw data, and its hardware.
struct MachinePageModel: Sendable {
    /// A label and a value of the hardware list.
    struct Fact: Sendable {
        var label: String
        var value: String
    }

    /// One cache of the hardware table.
    struct Cache: Sendable {
        var level: Int
        var type: String
        var size: String
        var sharedBy: Int
    }

    /// The advice for this machine at one process (``MachineAdvice``): its own measured best
    /// when resolved, else the formula's, with the formula's answer and gains labelled.
    struct Recommendation: Sendable {
        var value: String
        var pypyDefault: String
        var keepDefault: Bool
        /// True when the advice is this machine's own measured best.
        var measured: Bool
        /// The measured answer's gain, or the formula answer's expected gain with its 80% range.
        var gain: String
        var gainRange: String?
        /// The formula's answer and this input's expected gain, when a formula exists.
        var formula: FormulaFigures?
        var outside: Bool
    }

    /// The formula's own figures for this machine.
    struct FormulaFigures: Sendable {
        var name: String
        var version: Int
        var value: String
        var expectedGain: String
        var gainRange: String
        var populationGain: String
        /// The formula's size's gain measured on this machine's own curve.
        var onThisMachine: String?
    }

    /// One process count of a curve group, as a table row.
    struct SeriesRow: Sendable {
        var procs: Int
        var best: String
        var interval: String
        var flatSet: String
        var gain: String
        var rounds: Int
        var runs: Int
    }

    /// A nursery size with the relative time of each series at it.
    struct PointRow: Sendable {
        var nursery: String
        var values: [String]
    }

    /// The curves of one interpreter version and workload.
    struct CurveGroup: Sendable {
        var index: Int
        var label: String
        var series: [SeriesRow]
        var pointRows: [PointRow]
    }

    /// One JSON benchmark variant with a median time per interpreter.
    struct JSONRow: Sendable {
        var label: String
        var values: [String]
    }

    /// One run.
    struct Run: Sendable {
        var received: String
        var receivedISO: String
        var interpreter: String
        var source: String
        var quarantined: Bool
        var flag: String?
        var results: Int
        var samples: String
        var rawHref: String
    }

    var page: PageLayout
    var id: String
    var apiHref: String
    var vendor: String
    var model: String
    var arch: String
    var cores: Int
    var threads: Int
    var l2: String
    var l3: String
    var quarantined: Bool
    var recommendation: Recommendation?
    var curveGroups: [CurveGroup]
    var hasJSON: Bool
    var jsonInterpreters: [String]
    var jsonRows: [JSONRow]
    var runs: [Run]
    var facts: [Fact]
    var caches: [Cache]
    var chartJSON: ScriptJSON
    /// Its own figures across interpreter versions; set by the controller.
    var history = MachineHistory([])

    /// Builds the page.
    ///
    /// - Parameters:
    ///   - detail: the machine and its runs.
    ///   - curves: its machine curves (fitting aggregates).
    ///   - summaries: its JSON result summaries.
    ///   - formula: the served formula, nil before the first fit.
    ///   - site: shared page settings.
    init(
        detail: MachineDetail, curves: [MachineCurve], summaries: [ResultSummary], formula: FittedFormula?,
        site: SiteSettings
    ) {
        let summary = detail.summary
        let hardware = detail.hardware
        page = PageLayout(title: summary.cpuModel, section: .machines, site: site, scripts: ["machine.js"])
        id = summary.id
        apiHref = "/api/v1/machines/\(summary.id)"
        vendor = summary.cpuVendor
        model = summary.cpuModel
        arch = summary.arch
        cores = summary.physicalCores
        threads = summary.logicalCPUs
        l2 = Format.bytes(summary.l2Bytes)
        l3 = Format.bytes(summary.l3Bytes)
        // Hidden from lists and fits either way: quarantined itself, or every run quarantined
        // (directly or through its install), as the machines list decides.
        quarantined =
            summary.quarantined || (!detail.submissions.isEmpty && detail.submissions.allSatisfy(\.quarantined))

        let groups = CurveChart.groups(curves)
        let pypyVersion = groups.first?.key.interpreterVersion
        let advice = MachineFeatures(machine: hardware, procs: 1).flatMap { features in
            MachineAdvice.advise(
                features: features, pypyVersion: pypyVersion, curves: curves, report: formula?.report)
        }
        recommendation = advice.map { advice in
            let figures = formula.flatMap { fitted in
                advice.formula.map { answer in
                    FormulaFigures(
                        name: answer.formulaName, version: fitted.version,
                        value: NurserySize.format(answer.formulaBytes),
                        expectedGain: Format.signedPercent(answer.expectedGain.mean),
                        gainRange:
                            "\(Format.signedPercent(answer.expectedGain.p10)) to \(Format.signedPercent(answer.expectedGain.p90))",
                        populationGain: Format.signedPercent(answer.gainOverDefault.mean),
                        onThisMachine: advice.formulaGainOnThisMachine.map { Format.signedPercent($0) })
                }
            }
            let measuredGain = advice.keepDefault ? 0 : advice.measured?.summary.gainOverDefault
            return Recommendation(
                value: NurserySize.format(advice.nurseryBytes), pypyDefault: Format.bytes(advice.pypyDefaultBytes),
                keepDefault: advice.keepDefault, measured: advice.source == .measured,
                gain: advice.source == .measured
                    ? Format.signedPercent(measuredGain) : figures?.expectedGain ?? "—",
                gainRange: advice.source == .measured ? nil : figures?.gainRange, formula: figures,
                outside: !(advice.formula?.insideTrainingRange ?? true))
        }
        let recommended = advice?.nurseryBytes
        curveGroups = groups.enumerated().map { index, group in
            let sizes = Array(Set(group.curves.flatMap { $0.summary.points.map(\.nurseryBytes) })).sorted()
            return CurveGroup(
                index: index, label: group.label,
                series: group.curves.map { curve in
                    let s = curve.summary
                    let interval = s.best.flatMap { best in
                        best.intervalLowerBytes.flatMap { lower in
                            best.intervalUpperBytes.map { "\(Format.bytes(lower))–\(Format.bytes($0))" }
                        }
                    }
                    return SeriesRow(
                        procs: curve.key.procs, best: Format.bytes(s.best?.nurseryBytes), interval: interval ?? "—",
                        flatSet: s.flatSet.isEmpty ? "—" : s.flatSet.map { Format.bytes($0) }.joined(separator: ", "),
                        gain: Format.signedPercent(s.gainOverDefault), rounds: s.roundCount, runs: s.submissionCount)
                },
                pointRows: sizes.map { size in
                    PointRow(
                        nursery: Format.bytes(size),
                        values: group.curves.map { curve in
                            Format.ratio(curve.summary.points.first { $0.nurseryBytes == size }?.relativeTime)
                        })
                })
        }

        let table = JSONTimingTable(summaries.filter { $0.benchmark != BenchmarkName.gcbench })
        hasJSON = !table.rowLabels.isEmpty
        jsonInterpreters = table.interpreters
        jsonRows = table.rowLabels.indices.map { row in
            JSONRow(label: table.rowLabels[row], values: table.values[row].map { Format.milliseconds($0) })
        }

        runs = detail.submissions.map { ref in
            Run(
                received: Format.date(ref.receivedAt), receivedISO: Format.isoDate(ref.receivedAt),
                interpreter: "\(ref.interpreter.implementation) \(ref.interpreter.version)",
                source: ref.source.rawValue,
                quarantined: ref.quarantined, flag: ref.flag, results: ref.resultCount,
                samples: Format.count(ref.sampleCount),
                rawHref: "/api/v1/submissions/\(ref.id.uuidString.lowercased())")
        }
        facts = [
            Fact(label: "Architecture", value: hardware.arch),
            Fact(label: "CPU", value: "\(hardware.cpuVendor) \(hardware.cpuModel)"),
            Fact(label: "Cores / threads", value: "\(hardware.physicalCores) / \(hardware.logicalCPUs)"),
            Fact(label: "Memory", value: Format.bytes(hardware.memoryBytes)),
            Fact(label: "OS", value: "\(hardware.os) \(hardware.osVersion)"),
            Fact(label: "Kernel", value: hardware.kernel),
            Fact(label: "/proc/cpuinfo cache size", value: Format.bytes(hardware.cpuinfoCacheBytes)),
            Fact(label: "Virtualized", value: hardware.virtualized ? "yes" : "no"),
            Fact(label: "CPU quota", value: hardware.cpuQuota.map { String(format: "%.2f CPUs", $0) } ?? "none"),
            Fact(label: "First seen", value: Format.date(summary.firstSeen)),
            Fact(label: "Last seen", value: Format.date(summary.lastSeen)),
        ]
        caches = hardware.caches.sorted { ($0.level, $0.type.rawValue) < ($1.level, $1.type.rawValue) }.map {
            Cache(level: $0.level, type: $0.type.rawValue, size: Format.bytes($0.sizeBytes), sharedBy: $0.sharedBy)
        }
        chartJSON = ScriptJSON(
            MachineChartData(
                curveGroups: groups.map { CurveChart(group: $0, recommendedBytes: recommended) },
                json: table.chartData))
    }
}

/// What `machine.js` draws.
struct MachineChartData: Encodable, Sendable {
    var curveGroups: [CurveChart]
    var json: JSONTimingTable.ChartData
}
