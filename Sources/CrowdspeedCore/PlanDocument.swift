import Foundation

/// The body of `GET /api/v1/plan`: the nursery sizes worth timing on one machine at one process
/// count, and when to stop. Encoded by the server, decoded by the agent's `run` with the same type.
///
/// The default setting (`PYPY_GC_NURSERY` unset) is the control every sweep runs besides
/// ``nurseries``; ``pypyDefaultBytes`` says what size it amounts to here.
public struct PlanDocument: Codable, Sendable, Equatable {
    /// `formula` (a band around the served formula's prediction) or `full_grid` (no formula yet:
    /// today's full grid, so an agent has one code path).
    public var basis: String
    /// Sizes to time, ascending.
    public var nurseries: [PlannedSize]
    /// The formula's predicted best; nil for `full_grid`.
    public var predictedNurseryBytes: Int64?
    /// The dense band's ends (both in ``nurseries``); nil for `full_grid`.
    public var bandLowerBytes: Int64?
    public var bandUpperBytes: Int64?
    /// What PyPy picks by itself here: the control's size.
    public var pypyDefaultBytes: Int64
    public var stopping: StoppingDocument
    /// The formula version the plan rests on; nil for `full_grid`.
    public var formulaVersion: Int?
    /// The process count the plan is for.
    public var procs: Int
    public var links: [String: String]

    /// Creates the document.
    public init(
        basis: String, nurseries: [PlannedSize], predictedNurseryBytes: Int64?, bandLowerBytes: Int64?,
        bandUpperBytes: Int64?, pypyDefaultBytes: Int64, stopping: StoppingDocument, formulaVersion: Int?, procs: Int,
        links: [String: String]
    ) {
        self.basis = basis
        self.nurseries = nurseries
        self.predictedNurseryBytes = predictedNurseryBytes
        self.bandLowerBytes = bandLowerBytes
        self.bandUpperBytes = bandUpperBytes
        self.pypyDefaultBytes = pypyDefaultBytes
        self.stopping = stopping
        self.formulaVersion = formulaVersion
        self.procs = procs
        self.links = links
    }

    enum CodingKeys: String, CodingKey {
        case basis, nurseries
        case predictedNurseryBytes = "predicted_nursery_bytes"
        case bandLowerBytes = "band_lower_bytes"
        case bandUpperBytes = "band_upper_bytes"
        case pypyDefaultBytes = "pypy_default_bytes"
        case stopping
        case formulaVersion = "formula_version"
        case procs, links
    }

    /// The `basis` of a plan without a formula.
    public static let fullGridBasis = "full_grid"

    /// One size of the plan.
    public struct PlannedSize: Codable, Sendable, Equatable {
        public var nurseryBytes: Int64
        /// The same as a `PYPY_GC_NURSERY` value, e.g. `8M`.
        public var pypyGCNursery: String

        /// Creates the document.
        public init(nurseryBytes: Int64, pypyGCNursery: String) {
            self.nurseryBytes = nurseryBytes
            self.pypyGCNursery = pypyGCNursery
        }

        enum CodingKeys: String, CodingKey {
            case nurseryBytes = "nursery_bytes"
            case pypyGCNursery = "pypy_gc_nursery"
        }
    }

    /// The adaptive stopping rule: at least ``minimumRounds`` measured rounds, at most
    /// ``maximumRounds``, stopping once every curve's best is resolved against its neighbours
    /// (rivals within ``tolerance`` count as equivalent).
    public struct StoppingDocument: Codable, Sendable, Equatable {
        public var minimumRounds: Int
        public var maximumRounds: Int
        public var tolerance: Double

        /// Creates the document.
        public init(minimumRounds: Int, maximumRounds: Int, tolerance: Double) {
            self.minimumRounds = minimumRounds
            self.maximumRounds = maximumRounds
            self.tolerance = tolerance
        }

        enum CodingKeys: String, CodingKey {
            case minimumRounds = "minimum_rounds"
            case maximumRounds = "maximum_rounds"
            case tolerance
        }

        /// The rule this document describes.
        public var rule: StoppingRule {
            StoppingRule(mode: .adaptive(minimum: minimumRounds, maximum: maximumRounds), tolerance: tolerance)
        }
    }
}
