import Foundation

/// The body of `GET /api/v1/recommendations/nursery`: encoded by the server, decoded by the
/// agent's `recommend` with the same type.
///
/// The top-level answer comes from ``source``: `measured` (a `?machine=ID` whose own curve for
/// that PyPy version and process count is resolved) or `formula`. ``formulaAnswer`` always
/// carries the formula's own answer when a formula exists, so a measured answer shows it beside.
public struct RecommendationDocument: Codable, Sendable, Equatable {
    /// `measured` or `formula`: which figure the top-level answer is.
    public var source: String
    /// The size to use (PyPy's own when ``keepDefault``).
    public var nurseryBytes: Int64
    /// The same as a `PYPY_GC_NURSERY` value, e.g. `8M`.
    public var pypyGCNursery: String
    /// Do no harm: true when the advice is to leave `PYPY_GC_NURSERY` unset.
    public var keepDefault: Bool
    /// One sentence for people.
    public var advice: String
    /// The served formula; nil before the first fit (a measured answer can exist without one).
    public var formula: FormulaReference?
    /// For `formula`: where the best nursery of a machine like this one likely lies (80%). For
    /// `measured`: the bootstrap interval of the machine's own best.
    public var interval: IntervalDocument?
    /// The top-level answer's expected gain over PyPy's default (see ``ExpectedGainDocument``).
    public var expectedGain: ExpectedGainDocument
    /// The formula's answer, beside a measured one or repeating the top level; nil without a formula.
    public var formulaAnswer: FormulaAnswer?
    /// The served formula's held-out regret, and PyPy's own rule's on the same curves.
    public var heldOutRegret: RegretDocument?
    public var pypyDefaultRegret: RegretDocument?
    public var evidence: EvidenceDocument?
    /// False when some input lies outside what the fit has seen: the answer is an extrapolation.
    public var insideTrainingRange: Bool
    /// The inputs the answer is for.
    public var input: InputDocument
    /// For `?machine=ID`: the machine and its own measured best, when it has one.
    public var machine: MachineEvidence?
    public var links: [String: String]

    /// Creates the document.
    public init(
        source: String, nurseryBytes: Int64, pypyGCNursery: String, keepDefault: Bool, advice: String,
        formula: FormulaReference?, interval: IntervalDocument?, expectedGain: ExpectedGainDocument,
        formulaAnswer: FormulaAnswer?, heldOutRegret: RegretDocument?, pypyDefaultRegret: RegretDocument?,
        evidence: EvidenceDocument?, insideTrainingRange: Bool, input: InputDocument, machine: MachineEvidence?,
        links: [String: String]
    ) {
        self.source = source
        self.formulaAnswer = formulaAnswer
        self.nurseryBytes = nurseryBytes
        self.pypyGCNursery = pypyGCNursery
        self.keepDefault = keepDefault
        self.advice = advice
        self.formula = formula
        self.interval = interval
        self.expectedGain = expectedGain
        self.heldOutRegret = heldOutRegret
        self.pypyDefaultRegret = pypyDefaultRegret
        self.evidence = evidence
        self.insideTrainingRange = insideTrainingRange
        self.input = input
        self.machine = machine
        self.links = links
    }

    enum CodingKeys: String, CodingKey {
        case source
        case formulaAnswer = "formula_answer"
        case nurseryBytes = "nursery_bytes"
        case pypyGCNursery = "pypy_gc_nursery"
        case keepDefault = "keep_default"
        case advice, formula
        case interval
        case expectedGain = "expected_gain"
        case heldOutRegret = "held_out_regret"
        case pypyDefaultRegret = "pypy_default_regret"
        case evidence
        case insideTrainingRange = "inside_training_range"
        case input, machine, links
    }

    /// Which formula answered.
    public struct FormulaReference: Codable, Sendable, Equatable {
        public var version: Int
        public var name: String
        public var text: String
        /// The class whose own formula answered; nil for the global formula.
        public var hardwareClass: String?
        public var scope: FormulaScope
        /// True for a formula fitted on synthetic (demo) data.
        public var synthetic: Bool
        public var link: String

        /// Creates the document.
        public init(
            version: Int, name: String, text: String, hardwareClass: String?, scope: FormulaScope, synthetic: Bool,
            link: String
        ) {
            self.version = version
            self.name = name
            self.text = text
            self.hardwareClass = hardwareClass
            self.scope = scope
            self.synthetic = synthetic
            self.link = link
        }

        enum CodingKeys: String, CodingKey {
            case version, name, text
            case hardwareClass = "hardware_class"
            case scope, synthetic, link
        }
    }

    /// An interval of sizes.
    public struct IntervalDocument: Codable, Sendable, Equatable {
        public var lowerBytes: Int64
        public var upperBytes: Int64
        public var lower: String
        public var upper: String
        public var coverage: Double
        /// How it was obtained.
        public var basis: String

        /// Creates the document.
        public init(lowerBytes: Int64, upperBytes: Int64, lower: String, upper: String, coverage: Double, basis: String)
        {
            self.lowerBytes = lowerBytes
            self.upperBytes = upperBytes
            self.lower = lower
            self.upper = upper
            self.coverage = coverage
            self.basis = basis
        }

        enum CodingKeys: String, CodingKey {
            case lowerBytes = "lower_bytes"
            case upperBytes = "upper_bytes"
            case lower, upper, coverage, basis
        }
    }

    /// An expected gain over the interpreter's default (0.1 = 10% less CPU time).
    ///
    /// For a `formula` answer (``basis`` `distance`): this input's own expected gain, read from
    /// how the training machines' curves rise away from the formula's answer at the log2
    /// distance between PyPy's default and that answer; `p10`…`p90` is its 80% interval over
    /// those curves, and `keep_default` is set when `p10` is not above zero. For a `measured`
    /// answer (``basis`` `measured`): the machine's own T(default) / T(best) − 1, without an
    /// interval (the machine's curve keeps medians only); `keep_default` is set when PyPy's
    /// default lies within 2% of the best. ``basis`` `population` (formulas fitted before
    /// per-input gains existed): the formula's average over held-out training curves.
    public struct ExpectedGainDocument: Codable, Sendable, Equatable {
        public var mean: Double?
        public var p10: Double?
        public var p90: Double?
        /// What PyPy picks by itself here.
        public var defaultNurseryBytes: Int64
        public var defaultPypyGCNursery: String
        /// `distance`, `measured` or `population`.
        public var basis: String
        /// For `distance`: log2(default) − log2(answer).
        public var distanceLog2: Double?
        /// Training curves the figure rests on (`distance`).
        public var curves: Int?
        /// The served formula's population-average gain over held-out curves, for comparison.
        public var populationMean: Double?

        /// Creates the document.
        public init(
            mean: Double?, p10: Double?, p90: Double?, defaultNurseryBytes: Int64, defaultPypyGCNursery: String,
            basis: String, distanceLog2: Double? = nil, curves: Int? = nil, populationMean: Double? = nil
        ) {
            self.mean = mean
            self.p10 = p10
            self.p90 = p90
            self.defaultNurseryBytes = defaultNurseryBytes
            self.defaultPypyGCNursery = defaultPypyGCNursery
            self.basis = basis
            self.distanceLog2 = distanceLog2
            self.curves = curves
            self.populationMean = populationMean
        }

        enum CodingKeys: String, CodingKey {
            case mean, p10, p90
            case defaultNurseryBytes = "default_nursery_bytes"
            case defaultPypyGCNursery = "default_pypy_gc_nursery"
            case basis
            case distanceLog2 = "distance_log2"
            case curves
            case populationMean = "population_mean"
        }
    }

    /// The served formula's own answer for this input.
    public struct FormulaAnswer: Codable, Sendable, Equatable {
        /// What the formula computes, even when the advice is to keep the default.
        public var formulaNurseryBytes: Int64
        public var formulaPypyGCNursery: String
        /// The formula's advice: its size, or PyPy's default when ``keepDefault``.
        public var nurseryBytes: Int64
        public var pypyGCNursery: String
        public var keepDefault: Bool
        /// This input's expected gain (basis `distance`, or `population` for older formulas).
        public var expectedGain: ExpectedGainDocument
        /// With a measured curve: the formula's size's gain over PyPy's default on this machine's
        /// own curve (negative when it is worse here than the default).
        public var measuredGainOnThisMachine: Double?

        /// Creates the document.
        public init(
            formulaNurseryBytes: Int64, formulaPypyGCNursery: String, nurseryBytes: Int64, pypyGCNursery: String,
            keepDefault: Bool, expectedGain: ExpectedGainDocument, measuredGainOnThisMachine: Double?
        ) {
            self.formulaNurseryBytes = formulaNurseryBytes
            self.formulaPypyGCNursery = formulaPypyGCNursery
            self.nurseryBytes = nurseryBytes
            self.pypyGCNursery = pypyGCNursery
            self.keepDefault = keepDefault
            self.expectedGain = expectedGain
            self.measuredGainOnThisMachine = measuredGainOnThisMachine
        }

        enum CodingKeys: String, CodingKey {
            case formulaNurseryBytes = "formula_nursery_bytes"
            case formulaPypyGCNursery = "formula_pypy_gc_nursery"
            case nurseryBytes = "nursery_bytes"
            case pypyGCNursery = "pypy_gc_nursery"
            case keepDefault = "keep_default"
            case expectedGain = "expected_gain"
            case measuredGainOnThisMachine = "measured_gain_on_this_machine"
        }
    }

    /// The inputs, normalized.
    public struct InputDocument: Codable, Sendable, Equatable {
        public var l2Bytes: Int64
        public var l3Bytes: Int64?
        public var physicalCores: Int
        public var procs: Int
        public var arch: String
        public var cpuVendor: String
        public var cpuinfoCacheBytes: Int64?
        public var pypyVersion: String?

        /// Creates the document.
        public init(
            l2Bytes: Int64, l3Bytes: Int64?, physicalCores: Int, procs: Int, arch: String, cpuVendor: String,
            cpuinfoCacheBytes: Int64?, pypyVersion: String?
        ) {
            self.l2Bytes = l2Bytes
            self.l3Bytes = l3Bytes
            self.physicalCores = physicalCores
            self.procs = procs
            self.arch = arch
            self.cpuVendor = cpuVendor
            self.cpuinfoCacheBytes = cpuinfoCacheBytes
            self.pypyVersion = pypyVersion
        }

        enum CodingKeys: String, CodingKey {
            case l2Bytes = "l2_bytes"
            case l3Bytes = "l3_bytes"
            case physicalCores = "physical_cores"
            case procs, arch
            case cpuVendor = "cpu_vendor"
            case cpuinfoCacheBytes = "cpuinfo_cache_bytes"
            case pypyVersion = "pypy_version"
        }
    }

    /// A machine's own measurement beside the formula's answer.
    public struct MachineEvidence: Codable, Sendable, Equatable {
        public var id: String
        /// The machine curve matching the procs (and PyPy version) asked for, nil when none.
        public var measured: MachineCurve?
        public var link: String

        /// Creates the document.
        public init(id: String, measured: MachineCurve?, link: String) {
            self.id = id
            self.measured = measured
            self.link = link
        }
    }
}

/// Regret across curves (0.05 = 5% slower than each curve's own best); nil numbers when undefined.
public struct RegretDocument: Codable, Sendable, Equatable {
    public var mean: Double?
    public var p90: Double?
    public var curves: Int

    /// Creates the document.
    public init(mean: Double?, p90: Double?, curves: Int) {
        self.mean = mean
        self.p90 = p90
        self.curves = curves
    }
}

/// How much data a fit rests on.
public struct EvidenceDocument: Codable, Sendable, Equatable {
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int
    public var hardwareClasses: Int
    public var skippedCurves: Int
    public var heldOut: Bool

    /// Creates the document.
    public init(machines: Int, curves: Int, cpuModels: Int, hardwareClasses: Int, skippedCurves: Int, heldOut: Bool) {
        self.machines = machines
        self.curves = curves
        self.cpuModels = cpuModels
        self.hardwareClasses = hardwareClasses
        self.skippedCurves = skippedCurves
        self.heldOut = heldOut
    }

    enum CodingKeys: String, CodingKey {
        case machines, curves
        case cpuModels = "cpu_models"
        case hardwareClasses = "hardware_classes"
        case skippedCurves = "skipped_curves"
        case heldOut = "held_out"
    }
}
