import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// A stored formula set decoded: the store's summary, CrowdspeedFit's report, and the
/// prediction intervals of the served formulas. Immutable once stored, so a decoded value can
/// be cached by version.
public struct FittedFormula: Sendable, Equatable {
    public var summary: FormulaSummary
    public var report: FitReport
    /// By ``PredictionInterval/globalKey`` or hardware class description.
    public var intervals: [String: PredictionInterval]

    /// Creates a decoded formula.
    public init(summary: FormulaSummary, report: FitReport, intervals: [String: PredictionInterval]) {
        self.summary = summary
        self.report = report
        self.intervals = intervals
    }

    /// Decodes a stored formula.
    /// - Throws: `DecodingError` when the stored JSON is not a report this build can read.
    public init(stored: StoredFormula) throws {
        let decoder = Self.decoder()
        self.init(
            summary: stored.summary,
            report: try decoder.decode(FitReport.self, from: Data(stored.reportJSON.utf8)),
            intervals: try decoder.decode([String: PredictionInterval].self, from: Data(stored.intervalsJSON.utf8)))
    }

    /// The version.
    public var version: Int { summary.version }

    /// True when the fit read synthetic data: such a formula is for demonstrations only.
    public var isSynthetic: Bool { summary.scope == .synthetic }

    /// The stored forms use their own coders: a report may hold NaN (a regret with no curves),
    /// which the wire encoder refuses, so non-finite numbers are spelled as strings here.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    /// The decoder matching ``encoder()``.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}

/// Decoded formulas by version: stored formulas never change, so each is decoded once.
public actor FormulaCache {
    private let store: any FitStore
    private var decoded: [Int: FittedFormula] = [:]

    /// Creates an empty cache over `store`.
    public init(store: any FitStore) {
        self.store = store
    }

    /// The newest formula of `scope` (one indexed query, then the cache), nil when none exists.
    public func latest(scope: FormulaScope) async throws -> FittedFormula? {
        guard let version = try await store.latestFormulaVersion(scope: scope) else { return nil }
        return try await formula(version: version)
    }

    /// One formula by version, nil when unknown.
    public func formula(version: Int) async throws -> FittedFormula? {
        if let hit = decoded[version] { return hit }
        guard let stored = try await store.formula(version: version) else { return nil }
        let formula = try FittedFormula(stored: stored)
        // A handful of versions are read at a time; keep the cache from growing without bound.
        if decoded.count >= 16 { decoded.removeAll() }
        decoded[version] = formula
        return formula
    }
}
