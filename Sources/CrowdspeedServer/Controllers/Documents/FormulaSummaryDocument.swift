import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// One entry of the `history` of `GET /api/v1/formulas`, built from the store's
/// ``FormulaSummary``.
public struct FormulaSummaryDocument: Codable, Sendable, Equatable {
    public var version: Int
    public var createdAt: Date
    public var scope: FormulaScope
    public var sources: String
    public var inputSubmissions: Int
    public var metrics: FormulaMetricsDocument
    public var fitMilliseconds: Double

    /// The document of one stored formula's summary.
    public init(_ summary: FormulaSummary) {
        version = summary.version
        createdAt = summary.createdAt
        scope = summary.scope
        sources = summary.sources
        inputSubmissions = summary.inputSubmissions
        metrics = FormulaMetricsDocument(summary.metrics)
        fitMilliseconds = summary.fitMilliseconds
    }

    enum CodingKeys: String, CodingKey {
        case version
        case createdAt = "created_at"
        case scope, sources
        case inputSubmissions = "input_submissions"
        case metrics
        case fitMilliseconds = "fit_milliseconds"
    }
}

/// The headline numbers of one formula in the history (``FormulaMetrics``).
public struct FormulaMetricsDocument: Codable, Sendable, Equatable {
    public var globalName: String
    public var globalText: String
    public var heldOutRegret: Double?
    public var pypyDefaultRegret: Double?
    public var bestConstantRegret: Double?
    public var noiseFloor: Double?
    public var gainOverDefault: Double?
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int

    /// The document of one stored formula's metrics.
    public init(_ metrics: FormulaMetrics) {
        globalName = metrics.globalName
        globalText = metrics.globalText
        heldOutRegret = metrics.heldOutRegret
        pypyDefaultRegret = metrics.pypyDefaultRegret
        bestConstantRegret = metrics.bestConstantRegret
        noiseFloor = metrics.noiseFloor
        gainOverDefault = metrics.gainOverDefault
        machines = metrics.machines
        curves = metrics.curves
        cpuModels = metrics.cpuModels
    }

    enum CodingKeys: String, CodingKey {
        case globalName = "global_name"
        case globalText = "global_text"
        case heldOutRegret = "held_out_regret"
        case pypyDefaultRegret = "pypy_default_regret"
        case bestConstantRegret = "best_constant_regret"
        case noiseFloor = "noise_floor"
        case gainOverDefault = "gain_over_default"
        case machines, curves
        case cpuModels = "cpu_models"
    }
}
