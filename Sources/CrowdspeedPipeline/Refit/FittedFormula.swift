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

    /// The stored forms' encoder. A missing number (a regret with no curves, a split with no
    /// curve having both halves) is written as null or left out, the one convention of every
    /// JSON the project writes (``CrowdspeedFit``'s coders, the wire format); a NaN that reached
    /// a field without that handling fails the encoding rather than be given a spelling.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    /// The stored forms' decoder: null as written by ``encoder()``, and also the strings
    /// `"NaN"`, `"+Infinity"` and `"-Infinity"` of formulas stored by earlier versions, which
    /// spelled non-finite numbers that way.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}

/// Decoded formulas by version, and the newest version of each scope as of the last poll.
///
/// Stored formulas never change, so each is decoded once. Which version is newest does change,
/// possibly on another server sharing the database: the newest version of a scope is asked of the
/// store again once it is older than ``refreshInterval``, so every server (the one that fitted
/// included) serves a new formula within that interval, and a busy server asks the database once
/// per interval rather than once per request. Nothing here is state other servers cannot see:
/// it is a copy of the database's, at most one interval old.
public actor FormulaCache {
    private let store: any FitStore
    /// How old a known newest version may be before it is asked again.
    public let refreshInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var decoded: [Int: FittedFormula] = [:]
    private var newest: [FormulaScope: (version: Int, checkedAt: ContinuousClock.Instant)] = [:]

    /// Creates an empty cache over `store`.
    ///
    /// - Parameters:
    ///   - refreshInterval: how long a known newest version is served before the store is asked
    ///     again; zero asks at every call.
    ///   - now: the monotonic clock (tests step it).
    public init(
        store: any FitStore, refreshInterval: Duration = .seconds(2),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.store = store
        self.refreshInterval = refreshInterval
        self.now = now
    }

    /// The newest formula of `scope`, nil when none exists. A scope without a formula is asked
    /// at every call: that lasts only until the first fit, which should be served at once.
    public func latest(scope: FormulaScope) async throws -> FittedFormula? {
        guard let version = try await latestVersion(scope: scope) else { return nil }
        return try await formula(version: version)
    }

    /// The newest version of `scope`: the one known when polled less than ``refreshInterval``
    /// ago, else the store's (one indexed query).
    public func latestVersion(scope: FormulaScope) async throws -> Int? {
        let instant = now()
        if let known = newest[scope], instant - known.checkedAt < refreshInterval { return known.version }
        guard let version = try await store.latestFormulaVersion(scope: scope) else { return nil }
        // Versions only grow; a slower concurrent poll must not put an older one back.
        if let known = newest[scope], known.version > version {
            newest[scope] = (known.version, instant)
            return known.version
        }
        newest[scope] = (version, instant)
        return version
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
