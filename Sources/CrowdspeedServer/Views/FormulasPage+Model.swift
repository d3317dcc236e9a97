import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation

/// Formulas (`/formulas`): the served formula's held-out regret beside every candidate and
/// baseline, per hardware class its own formula (accepted or not) and its predicted against
/// observed best nursery, and the version history.
struct FormulasPageModel: Sendable {
    /// One formula or baseline with its out-of-sample numbers.
    struct Evaluation: Sendable {
        var name: String
        var text: String
        var regret: String
        var regretP90: String
        var split: String
        var gain: String
        var served: Bool
    }

    /// One hardware class.
    struct ClassRow: Sendable {
        var name: String
        var machines: Int
        /// Counts as text: "—" when the stored report predates per-class counts.
        var curves: String
        var cpuModels: String
        var formula: String
        /// Why the class has no formula of its own, when it is too small for one.
        var note: String?
        var regret: String
        var globalRegret: String
        var accepted: Bool
        var exact: String
        var withinOne: String
    }

    /// One stored formula version.
    struct HistoryRow: Sendable {
        var version: Int
        var created: String
        var scope: String
        var name: String
        var regret: String
        var pypyRegret: String
        var machines: Int
        var curves: Int
    }

    /// What `formulas.js` draws: observed against predicted log2 sizes per class.
    struct ChartData: Encodable, Sendable {
        struct Point: Encodable, Sendable {
            var machine: String
            var observed: Int64
            var predicted: Int64
        }
        struct ClassPoints: Encodable, Sendable {
            var name: String
            var points: [Point]
        }
        var classes: [ClassPoints]
    }

    /// Realized against predicted gains of one formula version, from verifications.
    struct RealizedRow: Sendable {
        var version: Int
        var served: Bool
        var verifications: Int
        var machines: Int
        var confirmed: Int
        var medianGain: String
        var spread: String
        var medianPredicted: String
    }

    /// The `PYPY_GC_MIN` study (``CrowdspeedFit/GCMinStudy``) in words, from the served fit.
    struct GCMinStudyText: Sendable {
        var machines: Int
        var pairs: Int
        var ordinaryGain: String
        var pinnedGain: String
        var remaining: String
    }

    var page: PageLayout
    var hasFormula: Bool
    var version: Int
    var created: String
    var synthetic: Bool
    var heldOut: Bool
    var noiseFloor: String
    var evaluations: [Evaluation]
    var classes: [ClassRow]
    var hasClasses: Bool
    var history: [HistoryRow]
    /// Per formula version with verifications of its sizes, newest first.
    var realized: [RealizedRow]
    var hasRealized: Bool
    var chartJSON: ScriptJSON
    /// Nil ("not enough data yet") until some machine has a pinned curve beside an ordinary one.
    var gcMinStudy: GCMinStudyText?

    /// Builds the page from the served formula, the machines' one-process best sizes, the history
    /// and the realized gains of each version's sizes.
    init(
        formula: FittedFormula?, machines: [MachineTableRow], history: [FormulaSummary], realized: [RealizedGains],
        site: SiteSettings
    ) {
        page = PageLayout(title: "Formulas", section: .formulas, site: site, scripts: ["formulas.js"])
        hasFormula = formula != nil
        version = formula?.version ?? 0
        created = Format.date(formula?.summary.createdAt)
        synthetic = formula?.isSynthetic ?? false
        heldOut = formula?.report.isHeldOut ?? false
        noiseFloor = Format.percent(formula?.report.noiseFloor)
        let report = formula?.report
        evaluations =
            report.map { report in
                ([report.global] + report.candidates.filter { $0.name != report.global.name } + report.baselines).map {
                    evaluation in
                    Evaluation(
                        name: evaluation.name, text: evaluation.formula.description,
                        regret: Format.percent(evaluation.heldOutRegret.mean),
                        regretP90: Format.percent(evaluation.heldOutRegret.p90),
                        split: Format.percent(evaluation.splitRegret),
                        gain: Format.signedPercent(evaluation.gainOverDefault.mean),
                        served: evaluation.name == report.global.name)
                }
            } ?? []

        // Predicted against observed per class, from the machines' one-process best sizes.
        var byClass: [HardwareClass: [ChartData.Point]] = [:]
        if let report {
            for row in machines {
                let s = row.summary
                guard let observed = row.bestNurseryBytes, let l2 = s.l2Bytes else { continue }
                let features = MachineFeatures(
                    l2Bytes: l2, l3Bytes: s.l3Bytes, physicalCores: s.physicalCores, procs: 1, arch: s.arch,
                    cpuVendor: s.cpuVendor,
                    cpuinfoCacheBytes: s.cpuinfoCacheBytes)
                let predicted = report.evaluation(for: features.hardwareClass).evaluation.formula.predict(features)
                byClass[features.hardwareClass, default: []].append(
                    .init(machine: s.cpuModel, observed: observed, predicted: predicted))
            }
        }
        let fits = Dictionary(report?.classes.map { ($0.hardwareClass, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        // Counts for every class the fit saw, not only those big enough for their own formula.
        let evidence = Dictionary(
            report?.classEvidence?.map { ($0.hardwareClass, $0) } ?? [], uniquingKeysWith: { a, _ in a })
        let minimum = report?.configuration.classMinMachines ?? 0
        let names = Set(byClass.keys).union(fits.keys).union(evidence.keys).sorted()
        classes = names.map { hardwareClass in
            let points = byClass[hardwareClass] ?? []
            let errors = points.map { abs(log2(Double($0.predicted)) - log2(Double($0.observed))) }
            let fit = fits[hardwareClass]
            let counts = evidence[hardwareClass]
            let note: String? =
                if fit != nil {
                    nil
                } else if let counts, counts.weightedMachines < Double(minimum) - 1e-9 {
                    "too few machines for its own formula (\(minimum) needed)"
                } else if let counts, counts.cpuModels < 2 {
                    "a single CPU model: nothing to hold out for its own formula"
                } else if counts == nil && report != nil {
                    "no usable curve in the fit"
                } else {
                    nil
                }
            return ClassRow(
                name: hardwareClass.description, machines: counts?.machines ?? fit?.machines ?? points.count,
                curves: (counts?.curves ?? fit?.curves).map(String.init) ?? "—",
                cpuModels: (counts?.cpuModels ?? fit?.cpuModels).map(String.init) ?? "—",
                formula: fit?.accepted == true ? fit!.evaluation.name : "global", note: note,
                regret: Format.percent(fit?.evaluation.heldOutRegret.mean),
                globalRegret: Format.percent(fit?.globalRegret.mean),
                accepted: fit?.accepted ?? false,
                exact: points.isEmpty
                    ? "—" : Format.percent(Double(errors.filter { $0 < 0.5 }.count) / Double(points.count)),
                withinOne: points.isEmpty
                    ? "—" : Format.percent(Double(errors.filter { $0 < 1.5 }.count) / Double(points.count)))
        }
        hasClasses = !classes.isEmpty
        self.history = history.map { entry in
            HistoryRow(
                version: entry.version, created: Format.date(entry.createdAt), scope: entry.scope.rawValue,
                name: entry.metrics.globalName,
                regret: Format.percent(entry.metrics.heldOutRegret),
                pypyRegret: Format.percent(entry.metrics.pypyDefaultRegret),
                machines: entry.metrics.machines, curves: entry.metrics.curves)
        }
        self.realized = realized.map { gains in
            RealizedRow(
                version: gains.formulaVersion, served: gains.formulaVersion == formula?.version,
                verifications: gains.verifications, machines: gains.machines, confirmed: gains.confirmed,
                medianGain: Format.signedPercent(gains.medianGain),
                spread: "\(Format.signedPercent(gains.lowerQuartile)) to \(Format.signedPercent(gains.upperQuartile))",
                medianPredicted: Format.signedPercent(gains.medianPredicted))
        }
        hasRealized = !realized.isEmpty
        gcMinStudy = report?.gcMinStudy.flatMap { study in
            study.pairs == 0
                ? nil
                : GCMinStudyText(
                    machines: study.pairedMachines, pairs: study.pairs,
                    ordinaryGain: Format.signedPercent(study.ordinaryGain),
                    pinnedGain: Format.signedPercent(study.pinnedGain), remaining: Format.percent(study.remainingShare))
        }
        chartJSON = ScriptJSON(
            ChartData(classes: names.map { ChartData.ClassPoints(name: $0.description, points: byClass[$0] ?? []) }))
    }
}
