import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/recommendations/nursery`.
public struct RecommendationDocument: Encodable, Sendable {
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
    public struct FormulaReference: Encodable, Sendable {
        public var version: Int
        public var name: String
        public var text: String
        /// The class whose own formula answered; nil for the global formula.
        public var hardwareClass: String?
        public var scope: FormulaScope
        /// True for a formula fitted on synthetic (demo) data.
        public var synthetic: Bool
        public var link: String
        enum CodingKeys: String, CodingKey {
            case version, name, text
            case hardwareClass = "hardware_class"
            case scope, synthetic, link
        }
    }

    /// An interval of sizes.
    public struct IntervalDocument: Encodable, Sendable {
        public var lowerBytes: Int64
        public var upperBytes: Int64
        public var lower: String
        public var upper: String
        public var coverage: Double
        /// How it was obtained.
        public var basis: String
        enum CodingKeys: String, CodingKey {
            case lowerBytes = "lower_bytes"
            case upperBytes = "upper_bytes"
            case lower, upper, coverage, basis
        }
    }

    /// The expected gain over the interpreter's default (0.1 = 10% less CPU time), with the
    /// 10th–90th percentile range over held-out training curves.
    public struct ExpectedGainDocument: Encodable, Sendable {
        public var mean: Double?
        public var p10: Double?
        public var p90: Double?
        /// What PyPy picks by itself here.
        public var defaultNurseryBytes: Int64
        public var defaultPypyGCNursery: String
        enum CodingKeys: String, CodingKey {
            case mean, p10, p90
            case defaultNurseryBytes = "default_nursery_bytes"
            case defaultPypyGCNursery = "default_pypy_gc_nursery"
        }
    }

    /// The inputs, normalized.
    public struct InputDocument: Encodable, Sendable {
        public var l2Bytes: Int64
        public var l3Bytes: Int64?
        public var physicalCores: Int
        public var procs: Int
        public var arch: String
        public var cpuVendor: String
        public var cpuinfoCacheBytes: Int64?
        public var pypyVersion: String?
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
    public struct MachineEvidence: Encodable, Sendable {
        public var id: String
        /// The machine curve matching the procs (and PyPy version) asked for, nil when none.
        public var measured: MachineCurve?
        public var link: String
    }
}
