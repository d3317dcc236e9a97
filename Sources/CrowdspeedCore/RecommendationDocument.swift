import Foundation

/// The body of `GET /api/v1/recommendations/nursery`: encoded by the server, decoded by the
/// agent's `recommend` with the same type.
public struct RecommendationDocument: Codable, Sendable, Equatable {
    /// The size to use (PyPy's own when ``keepDefault``).
    public var nurseryBytes: Int64
    /// The same as a `PYPY_GC_NURSERY` value, e.g. `8M`.
    public var pypyGCNursery: String
    /// Do no harm: true when the advice is to leave `PYPY_GC_NURSERY` unset.
    public var keepDefault: Bool
    /// One sentence for people.
    public var advice: String
    public var formula: FormulaReference
    /// Where the best nursery of a machine like this one likely lies (80%).
    public var interval: IntervalDocument?
    public var expectedGain: ExpectedGainDocument
    /// The served formula's held-out regret, and PyPy's own rule's on the same curves.
    public var heldOutRegret: RegretDocument
    public var pypyDefaultRegret: RegretDocument?
    public var evidence: EvidenceDocument
    /// False when some input lies outside what the fit has seen: the answer is an extrapolation.
    public var insideTrainingRange: Bool
    /// The inputs the answer is for.
    public var input: InputDocument
    /// For `?machine=ID`: the machine and its own measured best, when it has one.
    public var machine: MachineEvidence?
    public var links: [String: String]

    /// Creates the document.
    public init(
        nurseryBytes: Int64, pypyGCNursery: String, keepDefault: Bool, advice: String, formula: FormulaReference,
        interval: IntervalDocument?, expectedGain: ExpectedGainDocument, heldOutRegret: RegretDocument,
        pypyDefaultRegret: RegretDocument?, evidence: EvidenceDocument, insideTrainingRange: Bool, input: InputDocument,
        machine: MachineEvidence?, links: [String: String]
    ) {
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

    /// The expected gain over the interpreter's default (0.1 = 10% less CPU time), with the
    /// 10th–90th percentile range over held-out training curves.
    public struct ExpectedGainDocument: Codable, Sendable, Equatable {
        public var mean: Double?
        public var p10: Double?
        public var p90: Double?
        /// What PyPy picks by itself here.
        public var defaultNurseryBytes: Int64
        public var defaultPypyGCNursery: String

        /// Creates the document.
        public init(mean: Double?, p10: Double?, p90: Double?, defaultNurseryBytes: Int64, defaultPypyGCNursery: String)
        {
            self.mean = mean
            self.p10 = p10
            self.p90 = p90
            self.defaultNurseryBytes = defaultNurseryBytes
            self.defaultPypyGCNursery = defaultPypyGCNursery
        }

        enum CodingKeys: String, CodingKey {
            case mean, p10, p90
            case defaultNurseryBytes = "default_nursery_bytes"
            case defaultPypyGCNursery = "default_pypy_gc_nursery"
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
