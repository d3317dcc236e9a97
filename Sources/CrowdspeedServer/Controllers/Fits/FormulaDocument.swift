import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation

/// The body of `GET /api/v1/formulas/{version}` (and the `current` of `GET /api/v1/formulas`):
/// the served formulas with their held-out regret beside the baselines (PyPy's rule, 4M, 8M,
/// the best constant) and the noise floor. Public so the dashboard renders the same numbers.
public struct FormulaDocument: Encodable, Sendable {
    public var version: Int
    public var createdAt: Date
    /// `real` (agent and import data) or `synthetic` (demo data: not advice for real machines).
    public var scope: FormulaScope
    public var synthetic: Bool
    public var sources: String
    public var inputSubmissions: Int
    public var fitMilliseconds: Double
    /// The formula served to machines outside an accepted class.
    public var global: EvaluationDocument
    public var baselines: [EvaluationDocument]
    /// Every fitted family (the global one included), for comparison.
    public var candidates: [EvaluationDocument]
    public var classes: [ClassDocument]
    /// Mean regret measurement noise alone costs (choose on odd rounds, score on even ones).
    public var noiseFloor: Double?
    /// False when the data hold a single CPU model, so "held-out" regrets are in-sample.
    public var isHeldOut: Bool
    public var evidence: EvidenceDocument
    public var trainingRange: TrainingRangeDocument?
    public var links: [String: String]

    /// Builds the document of a decoded formula.
    public init(_ formula: FittedFormula) {
        let report = formula.report
        version = formula.version
        createdAt = formula.summary.createdAt
        scope = formula.summary.scope
        synthetic = formula.isSynthetic
        sources = formula.summary.sources
        inputSubmissions = formula.summary.inputSubmissions
        fitMilliseconds = formula.summary.fitMilliseconds
        global = EvaluationDocument(report.global, interval: formula.intervals[PredictionInterval.globalKey])
        baselines = report.baselines.map { EvaluationDocument($0) }
        candidates = report.candidates.map { EvaluationDocument($0) }
        classes = report.classes.map { fit in
            ClassDocument(
                hardwareClass: fit.hardwareClass.description, machines: fit.machines, curves: fit.curves,
                cpuModels: fit.cpuModels,
                accepted: fit.accepted,
                evaluation: EvaluationDocument(
                    fit.evaluation, interval: formula.intervals[fit.hardwareClass.description]),
                globalRegret: RegretDocument(fit.globalRegret))
        }
        noiseFloor = report.noiseFloor?.finiteValue
        isHeldOut = report.isHeldOut
        evidence = EvidenceDocument(report.evidence, heldOut: report.isHeldOut)
        trainingRange = report.trainingRange.map(TrainingRangeDocument.init)
        links = [
            "self": FormulasController.link(version), "python": FormulasController.link(version) + "?format=python",
            "history": FormulasController.basePath,
        ]
    }

    enum CodingKeys: String, CodingKey {
        case version
        case createdAt = "created_at"
        case scope, synthetic, sources
        case inputSubmissions = "input_submissions"
        case fitMilliseconds = "fit_milliseconds"
        case global, baselines, candidates, classes
        case noiseFloor = "noise_floor"
        case isHeldOut = "is_held_out"
        case evidence
        case trainingRange = "training_range"
        case links
    }
}

/// One formula or baseline with its out-of-sample numbers.
public struct EvaluationDocument: Encodable, Sendable {
    /// `k_l3_per_procs`, `pypy_default`, `constant_8M`, `best_constant`, …
    public var name: String
    /// The formula in words.
    public var text: String
    public var family: String
    /// log2 of k (scaled families) or of the constant.
    public var log2Factor: Double?
    public var logLinear: LogLinearDocument?
    public var minBytes: Int64
    public var maxBytes: Int64
    public var heldOutRegret: RegretDocument
    /// Fitted on odd rounds, scored on even rounds.
    public var splitRegret: Double?
    public var gainOverDefault: GainDocument
    /// Where machines' own best nursery lies around this formula's answer (served formulas only).
    public var predictionInterval: PredictionInterval?

    /// Creates the document of one evaluation.
    public init(_ evaluation: FormulaEvaluation, interval: PredictionInterval? = nil) {
        let formula = evaluation.formula
        name = evaluation.name
        text = formula.description
        family = formula.family.rawValue
        log2Factor =
            formula.family == .pypyDefault || formula.family == .logLinear ? nil : formula.log2Factor.finiteValue
        logLinear = formula.logLinear.map(LogLinearDocument.init)
        minBytes = formula.minBytes
        maxBytes = formula.maxBytes
        heldOutRegret = RegretDocument(evaluation.heldOutRegret)
        splitRegret = evaluation.splitRegret?.finiteValue
        gainOverDefault = GainDocument(evaluation.gainOverDefault)
        predictionInterval = interval
    }

    enum CodingKeys: String, CodingKey {
        case name, text, family
        case log2Factor = "log2_factor"
        case logLinear = "log_linear"
        case minBytes = "min_bytes"
        case maxBytes = "max_bytes"
        case heldOutRegret = "held_out_regret"
        case splitRegret = "split_regret"
        case gainOverDefault = "gain_over_default"
        case predictionInterval = "prediction_interval"
    }
}

/// The log-linear family's coefficients.
public struct LogLinearDocument: Encodable, Sendable {
    public var intercept, log2L2, log2LLC, noL3, log2Cores, log2Procs: Double

    init(_ c: LogLinearCoefficients) {
        intercept = c.intercept
        log2L2 = c.log2L2
        log2LLC = c.log2LLC
        noL3 = c.noL3
        log2Cores = c.log2Cores
        log2Procs = c.log2Procs
    }

    enum CodingKeys: String, CodingKey {
        case intercept
        case log2L2 = "log2_l2"
        case log2LLC = "log2_llc"
        case noL3 = "no_l3"
        case log2Cores = "log2_cores"
        case log2Procs = "log2_procs"
    }
}

/// Gain over PyPy's default across held-out curves (0.1 = 10% less CPU time).
public struct GainDocument: Encodable, Sendable {
    public var mean: Double?
    public var p10: Double?
    public var p90: Double?

    init(_ summary: GainSummary) {
        mean = summary.mean.finiteValue
        p10 = summary.p10.finiteValue
        p90 = summary.p90.finiteValue
    }
}

/// A hardware class's own formula and whether it is served.
public struct ClassDocument: Encodable, Sendable {
    public var hardwareClass: String
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int
    public var accepted: Bool
    public var evaluation: EvaluationDocument
    /// The global formula's held-out regret on the class's curves.
    public var globalRegret: RegretDocument

    enum CodingKeys: String, CodingKey {
        case hardwareClass = "hardware_class"
        case machines, curves
        case cpuModels = "cpu_models"
        case accepted, evaluation
        case globalRegret = "global_regret"
    }
}

/// The ranges of inputs the fit has seen, `[low, high]`.
public struct TrainingRangeDocument: Encodable, Sendable {
    public var l2Bytes: [Int64]
    public var l3Bytes: [Int64]?
    public var lastLevelCacheBytes: [Int64]
    public var physicalCores: [Int]
    public var procs: [Int]
    public var curvesWithoutL3: Int

    init(_ range: FeatureRange) {
        l2Bytes = [range.l2Bytes.lowerBound, range.l2Bytes.upperBound]
        l3Bytes = range.l3Bytes.map { [$0.lowerBound, $0.upperBound] }
        lastLevelCacheBytes = [range.lastLevelCacheBytes.lowerBound, range.lastLevelCacheBytes.upperBound]
        physicalCores = [range.physicalCores.lowerBound, range.physicalCores.upperBound]
        procs = [range.procs.lowerBound, range.procs.upperBound]
        curvesWithoutL3 = range.curvesWithoutL3
    }

    enum CodingKeys: String, CodingKey {
        case l2Bytes = "l2_bytes"
        case l3Bytes = "l3_bytes"
        case lastLevelCacheBytes = "last_level_cache_bytes"
        case physicalCores = "physical_cores"
        case procs
        case curvesWithoutL3 = "curves_without_l3"
    }
}

extension RegretDocument {
    init(_ summary: RegretSummary) {
        self.init(mean: summary.mean.finiteValue, p90: summary.p90.finiteValue, curves: summary.curves)
    }
}

extension EvidenceDocument {
    init(_ evidence: FitEvidence, heldOut: Bool) {
        self.init(
            machines: evidence.machines, curves: evidence.curves, cpuModels: evidence.cpuModels,
            hardwareClasses: evidence.hardwareClasses, skippedCurves: evidence.skippedCurves, heldOut: heldOut)
    }
}
