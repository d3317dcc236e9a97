import CrowdspeedCore
import Foundation

/// Formula selection by held-out regret.
///
/// Every fitted family is scored by leave-one-CPU-model-out regret (each CPU model's curves are
/// predicted by parameters fitted without that model), and so are the baselines: PyPy's rule
/// (from the measured control, so exact), the fixed constants, and the best single constant
/// (the constant family's held-out score). Every average is weighted by ``FitCurve/weight``
/// (means and quantiles of regret and gain, the noise floor, the fits themselves), so a capped
/// install moves no number more than its weight allows. The selection among candidates is itself not
/// cross-validated; with a handful of candidates the optimism this adds is small next to the
/// held-out regret, and the noise-floor split gives an independent check.
public enum FormulaSelection {
    /// Fits, evaluates and selects.
    ///
    /// - Parameters:
    ///   - input: curves; ones with no usable point are skipped and counted.
    ///   - configuration: the knobs (defaults documented on ``FitConfiguration``).
    /// - Returns: a report. With no usable curve the global formula is PyPy's rule with NaN
    ///   regrets and zero evidence; with one CPU model, regrets are in-sample (`isHeldOut` false).
    public static func fit(_ input: FitInput, configuration: FitConfiguration = FitConfiguration()) -> FitReport {
        // Robustness first: origins capped and implausible machines flagged (weight 0), so that
        // every number below — fits, scores, selection, class evidence — is taken without them.
        let (curves, screening) = RobustWeighting.apply(
            input.curves, options: configuration.robust, flatTolerance: configuration.flatTolerance,
            ridge: configuration.ridge)
        let exponents = configuration.exponents
        // The noise-floor split first, one half at a time and each table dropped once scored,
        // so that at most one full table exists beside the input at any time.
        let split = SplitScores(
            curves: curves,
            sources: curves.indices.filter { CurveTable.admits(curves[$0].curve, weight: curves[$0].weight) },
            configuration: configuration)
        let table = CurveTable(
            curves: curves, indices: Array(curves.indices), exponents: exponents,
            flatTolerance: configuration.flatTolerance)
        let tableClasses = table.sources.map { curves[$0].features.hardwareClass }
        let evidence = Self.evidence(input.curves, table: table)

        let scored = evaluateCandidates(on: table, split: split, configuration: configuration)
        let noiseFloor = split?.noiseFloor.finiteValue

        guard table.count > 0 else {
            let empty = FormulaEvaluation(
                name: FormulaFamily.pypyDefault.rawValue, formula: .pypyDefault,
                heldOutRegret: RegretSummary([]), splitRegret: nil, gainOverDefault: GainSummary([]))
            return FitReport(
                global: empty, candidates: [], baselines: [empty], classes: [], classEvidence: [], noiseFloor: nil,
                trainingRange: nil,
                evidence: evidence, isHeldOut: false, configuration: configuration, screening: screening)
        }

        // Only the chosen candidate's per-curve regrets are needed from here on.
        var ranked = scored.map(\.evaluation)
        let chosen = choose(ranked, margin: configuration.simplicityMargin)
        let globalHeldOut = scored[chosen].regrets
        let global = ranked[chosen]

        // Classes: position of each source curve in the global table.
        var position = [Int](repeating: -1, count: curves.count)
        for (k, source) in table.sources.enumerated() { position[source] = k }
        var byClass: [HardwareClass: [Int]] = [:]
        for (source, hardwareClass) in zip(table.sources, tableClasses) {
            byClass[hardwareClass, default: []].append(source)
        }
        var classes: [ClassFit] = []
        var classEvidence: [ClassEvidence] = []
        // Counts over the usable input, flagged machines included (as in ``FitEvidence``), so
        // a class whose every machine was flagged is still shown, with weight 0.
        let usable = Self.classCounts(input.curves)
        for hardwareClass in usable.keys.sorted() {
            let counts = usable[hardwareClass]!
            guard let sources = byClass[hardwareClass] else {
                classEvidence.append(
                    ClassEvidence(
                        hardwareClass: hardwareClass, machines: counts.machines, curves: counts.curves,
                        cpuModels: counts.cpuModels, weightedMachines: 0, eligible: false))
                continue
            }
            // The class's rows of the global table: the same numbers as tabulating its curves anew.
            let sub = table.subset(sources.map { position[$0] })
            // Weighted machines, so an install's fabricated machines cannot earn a class its own formula.
            let eligible = sub.effectiveMachines >= Double(configuration.classMinMachines) - 1e-9 && sub.groupCount >= 2
            classEvidence.append(
                ClassEvidence(
                    hardwareClass: hardwareClass, machines: counts.machines, curves: counts.curves,
                    cpuModels: counts.cpuModels,
                    weightedMachines: sub.effectiveMachines, eligible: eligible))
            guard eligible else { continue }
            var subConfiguration = configuration
            subConfiguration.fixedConstants = []
            let fitted = evaluateCandidates(
                on: sub, split: nil, configuration: subConfiguration, includeBaselines: false)
            let best = fitted[choose(fitted.map(\.evaluation), margin: configuration.simplicityMargin)].evaluation
            let globalRegret = RegretSummary(
                sources.map { globalHeldOut[position[$0]] }, weights: sources.map { table.weights[position[$0]] })
            classes.append(
                ClassFit(
                    hardwareClass: hardwareClass, machines: sub.machineCount, curves: sub.count,
                    cpuModels: sub.groupCount,
                    evaluation: best, globalRegret: globalRegret,
                    accepted: best.heldOutRegret.mean < globalRegret.mean - configuration.classMargin))
        }

        let baselineNames: Set<String> = Set(
            ["pypy_default"] + configuration.fixedConstants.map { "constant_" + NurserySize.format($0) })
        var baselines = ranked.filter { baselineNames.contains($0.name) }
        if var bestConstant = ranked.first(where: { $0.name == FormulaFamily.constant.rawValue }) {
            bestConstant.name = "best_constant"
            baselines.append(bestConstant)
        }
        ranked.removeAll { baselineNames.contains($0.name) }

        var report = FitReport(
            global: global, candidates: ranked, baselines: baselines, classes: classes, classEvidence: classEvidence,
            noiseFloor: noiseFloor, trainingRange: trainingRange(curves, table.sources), evidence: evidence,
            isHeldOut: table.groupCount >= 2, configuration: configuration, screening: screening)
        // Over the curves the fit admitted, as every other number of the report.
        report.gainProfiles = GainProfile.profiles(
            for: report, on: FitInput(curves: table.sources.map { curves[$0] }))
        return report
    }

    /// The evidence of a fit: counts over the usable input curves — machines the screening
    /// flagged included, since they are data the fit looked at (``FitReport/screening`` says
    /// which were left out) — and the machines' worth in the fit itself, after every cap and with
    /// flagged machines at 0. Without the robust fit both views are the table's.
    private static func evidence(_ curves: [FitCurve], table: CurveTable) -> FitEvidence {
        var machines = Set<String>()
        var models = Set<String>()
        var classes = Set<HardwareClass>()
        var usable = 0
        for curve in curves where CurveTable.admits(curve.curve, weight: curve.weight) {
            usable += 1
            machines.insert(curve.machineID)
            models.insert(curve.cpuModel)
            classes.insert(curve.features.hardwareClass)
        }
        return FitEvidence(
            machines: machines.count, curves: usable, cpuModels: models.count, hardwareClasses: classes.count,
            skippedCurves: curves.count - usable, weightedMachines: table.effectiveMachines)
    }

    /// Per hardware class, the usable input curves' distinct machines, curves and CPU models.
    private static func classCounts(_ curves: [FitCurve]) -> [HardwareClass: (
        machines: Int, curves: Int, cpuModels: Int
    )] {
        var machines: [HardwareClass: Set<String>] = [:]
        var models: [HardwareClass: Set<String>] = [:]
        var counts: [HardwareClass: Int] = [:]
        for curve in curves where CurveTable.admits(curve.curve, weight: curve.weight) {
            let hardwareClass = curve.features.hardwareClass
            machines[hardwareClass, default: []].insert(curve.machineID)
            models[hardwareClass, default: []].insert(curve.cpuModel)
            counts[hardwareClass, default: 0] += 1
        }
        return counts.reduce(into: [:]) { result, entry in
            result[entry.key] = (machines[entry.key]!.count, entry.value, models[entry.key]!.count)
        }
    }

    /// One scored candidate with its per-curve held-out regrets (table order).
    struct Scored {
        var evaluation: FormulaEvaluation
        var regrets: [Double]
    }

    /// Baselines (unless excluded) then fitted families, in order of simplicity.
    static func evaluateCandidates(
        on table: CurveTable, split: SplitScores?, configuration: FitConfiguration,
        includeBaselines: Bool = true
    ) -> [Scored] {
        var scored: [Scored] = []
        let low = Double(configuration.exponents.lowerBound)
        let high = Double(configuration.exponents.upperBound)
        if includeBaselines {
            scored.append(
                Scored(
                    evaluation: FormulaEvaluation(
                        name: FormulaFamily.pypyDefault.rawValue, formula: .pypyDefault,
                        heldOutRegret: table.regretSummary(table.defaultRegret),
                        splitRegret: split?.pypyDefault.finiteValue,
                        gainOverDefault: table.gainSummary([Double](repeating: 0, count: table.count))),
                    regrets: table.defaultRegret))
            for (k, bytes) in configuration.fixedConstants.enumerated() {
                let formula = fixedConstant(bytes, configuration: configuration)
                let exponents = (0..<table.count).map { formula.predictLog2(table.rows[$0], low: low, high: high) }
                scored.append(
                    score(
                        name: "constant_" + NurserySize.format(bytes), formula: formula, exponents: exponents,
                        table: table,
                        splitRegret: split?.constants[k].finiteValue))
            }
        }
        for (k, family) in configuration.families.filter({ $0 != .pypyDefault }).enumerated() {
            let fit = family.fit(on: table, configuration: configuration)
            scored.append(
                score(
                    name: family.rawValue, formula: fit.formula, exponents: fit.heldOutExponents, table: table,
                    splitRegret: split?.families[k].finiteValue))
        }
        return scored
    }

    private static func score(
        name: String, formula: Formula, exponents: [Double], table: CurveTable, splitRegret: Double?
    ) -> Scored {
        let regrets = (0..<table.count).map { table.regret($0, exponent: exponents[$0]) }
        let gains = (0..<table.count).map { table.gain($0, exponent: exponents[$0]) }
        return Scored(
            evaluation: FormulaEvaluation(
                name: name, formula: formula, heldOutRegret: table.regretSummary(regrets), splitRegret: splitRegret,
                gainOverDefault: table.gainSummary(gains)),
            regrets: regrets)
    }

    /// A fixed-constant baseline, clamped to the configured range.
    static func fixedConstant(_ bytes: Int64, configuration: FitConfiguration) -> Formula {
        var formula = Formula.constant(bytes)
        formula.minBytes = configuration.range.lowerBound
        formula.maxBytes = configuration.range.upperBound
        return formula
    }

    /// The noise-floor check: every candidate chosen on the curves' odd rounds and scored on
    /// their even rounds (mean regret), and the floor itself (each curve's own odd-round best,
    /// scored on its even rounds), over the curves with a point in both halves.
    struct SplitScores {
        var pypyDefault: Double
        /// Per ``FitConfiguration/fixedConstants``.
        var constants: [Double]
        /// Per fitted family, in ``FitConfiguration/families`` order (PyPy's rule left out).
        var families: [Double]
        var noiseFloor: Double

        /// Nil when no curve of `sources` has a point in both halves.
        ///
        /// The odd half is tabulated, fitted and dropped before the even half is tabulated.
        init?(curves: [FitCurve], sources: [Int], configuration: FitConfiguration) {
            let low = Double(configuration.exponents.lowerBound)
            let high = Double(configuration.exponents.upperBound)
            let families = configuration.families.filter { $0 != .pypyDefault }
            guard
                let (odd, admitted) = CurveTable.oddRounds(
                    curves: curves, sources: sources, exponents: configuration.exponents,
                    flatTolerance: configuration.flatTolerance)
            else { return nil }
            let fitted = families.map { $0.fit(on: odd, configuration: configuration).formula }
            let oddBest = (0..<odd.count).map { odd.bestExponent($0) }
            let even = CurveTable.evenRounds(
                curves: curves, sources: admitted, exponents: configuration.exponents,
                flatTolerance: configuration.flatTolerance)
            func regret(_ formula: Formula) -> Double {
                even.mean(
                    (0..<even.count).map {
                        even.regret($0, exponent: formula.predictLog2(even.rows[$0], low: low, high: high))
                    })
            }
            pypyDefault = even.mean(even.defaultRegret)
            constants = configuration.fixedConstants.map {
                regret(FormulaSelection.fixedConstant($0, configuration: configuration))
            }
            self.families = fitted.map(regret)
            noiseFloor = even.mean((0..<even.count).map { even.regret($0, exponent: oddBest[$0]) })
        }
    }

    /// The first candidate (in simplicity order) whose mean regret is within `margin` of the best.
    static func choose(_ evaluations: [FormulaEvaluation], margin: Double) -> Int {
        let means = evaluations.map(\.heldOutRegret.mean)
        guard let best = means.filter(\.isFinite).min() else { return 0 }
        return means.firstIndex { $0.isFinite && $0 <= best + max(0, margin) } ?? 0
    }

    static func trainingRange(_ curves: [FitCurve], _ sources: [Int]) -> FeatureRange? {
        guard let first = sources.first.map({ curves[$0].features }) else { return nil }
        var range = FeatureRange(
            l2Bytes: first.l2Bytes...first.l2Bytes, l3Bytes: nil,
            lastLevelCacheBytes: first.lastLevelCacheBytes...first.lastLevelCacheBytes,
            physicalCores: first.physicalCores...first.physicalCores, procs: first.procs...first.procs,
            curvesWithoutL3: 0)
        for source in sources {
            let f = curves[source].features
            range.l2Bytes = min(range.l2Bytes.lowerBound, f.l2Bytes)...max(range.l2Bytes.upperBound, f.l2Bytes)
            let llc = f.lastLevelCacheBytes
            range.lastLevelCacheBytes =
                min(range.lastLevelCacheBytes.lowerBound, llc)...max(range.lastLevelCacheBytes.upperBound, llc)
            range.physicalCores =
                min(
                    range.physicalCores.lowerBound, f.physicalCores)...max(
                    range.physicalCores.upperBound, f.physicalCores)
            range.procs = min(range.procs.lowerBound, f.procs)...max(range.procs.upperBound, f.procs)
            if let l3 = f.l3Bytes {
                range.l3Bytes = range.l3Bytes.map { min($0.lowerBound, l3)...max($0.upperBound, l3) } ?? l3...l3
            } else {
                range.curvesWithoutL3 += 1
            }
        }
        return range
    }
}
