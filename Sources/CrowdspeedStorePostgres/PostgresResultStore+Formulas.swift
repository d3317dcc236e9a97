import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Logging
import PostgresNIO

/// The versioned formulas on PostgreSQL (`SQLiteResultStore+Formulas.swift` on SQLite). The
/// fit snapshot, the other half of ``FitStore``, is in `PostgresResultStore+FitSnapshot.swift`.
extension PostgresResultStore: FitStore {
    /// How often ``insertFormula(_:)`` takes the next version again after losing it to another
    /// instance. Two refits at once are already rare (one instance holds the refit lease).
    static let formulaVersionAttempts = 10

    /// Stores a fitted formula under the next version number and returns that version.
    ///
    /// The version is public and dense (max + 1, as on SQLite), so it is not drawn from a
    /// sequence: the statement computes it and inserts in one step. Two instances doing so at
    /// once compute the same number; the primary key lets one commit and fails the other with a
    /// unique violation (or, on a serializable distributed database, a serialization failure),
    /// which then takes the next number.
    public func insertFormula(_ formula: NewFormula) async throws -> Int {
        let m = formula.metrics
        let createdAt = StoreTime.milliseconds(formula.createdAt)
        var attempt = 1
        while true {
            do {
                let version = try await client.query(
                    """
                    INSERT INTO formulas (version, created_at, scope, sources, input_submissions, global_name, global_text,
                        held_out_regret, pypy_default_regret, best_constant_regret, noise_floor, gain_over_default, machines,
                        curves, cpu_models, fit_milliseconds, report_json, intervals_json)
                    SELECT coalesce(max(version), 0) + 1, \(createdAt), \(formula.scope.rawValue),
                        \(formula.scope.sourcesText), \(formula.inputSubmissions), \(m.globalName), \(m.globalText),
                        \(m.heldOutRegret?.finiteValue), \(m.pypyDefaultRegret?.finiteValue),
                        \(m.bestConstantRegret?.finiteValue), \(m.noiseFloor?.finiteValue),
                        \(m.gainOverDefault?.finiteValue), \(m.machines), \(m.curves), \(m.cpuModels),
                        \(formula.fitMilliseconds), \(formula.reportJSON), \(formula.intervalsJSON)
                    FROM formulas
                    RETURNING version
                    """, logger: logger
                ).collect().first?.decode(Int.self)
                guard let version else { throw StoreCorruption("inserting a formula returned no version") }
                return version
            } catch let error as PSQLError where Self.isVersionRace(error) && attempt < Self.formulaVersionAttempts {
                logger.debug("formula version taken by another instance, retrying", metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// Whether `error` is the loss of a race for the next version: a unique violation (23505)
    /// or a serialization failure (40001).
    static func isVersionRace(_ error: PSQLError) -> Bool {
        let state = error.serverInfo?[.sqlState]
        return state == "23505" || state == "40001"
    }

    /// The newest formula of `scope`, nil when none was fitted.
    public func latestFormula(scope: FormulaScope) async throws -> StoredFormula? {
        try await rows(
            "SELECT * FROM formulas WHERE scope = \(scope.rawValue) ORDER BY version DESC LIMIT 1"
        ).map(Self.storedFormula).first
    }

    /// The version of the newest formula of `scope` (a cheap check for caches and for the
    /// instances' version polling).
    public func latestFormulaVersion(scope: FormulaScope) async throws -> Int? {
        try await rows("SELECT max(version) AS version FROM formulas WHERE scope = \(scope.rawValue)").map {
            try $0.decoded("version", as: Int?.self)
        }.first ?? nil
    }

    /// One formula by version, nil when unknown.
    public func formula(version: Int) async throws -> StoredFormula? {
        try await rows("SELECT * FROM formulas WHERE version = \(version)").map(Self.storedFormula).first
    }

    /// Formula history, newest first; all scopes when `scope` is nil.
    public func formulaHistory(scope: FormulaScope?, limit: Int) async throws -> [FormulaSummary] {
        try await rows(
            """
            SELECT version, created_at, scope, sources, input_submissions, global_name, global_text, held_out_regret,
                pypy_default_regret, best_constant_regret, noise_floor, gain_over_default, machines, curves, cpu_models,
                fit_milliseconds
            FROM formulas WHERE \(scope?.rawValue)::text IS NULL OR scope = \(scope?.rawValue)
            ORDER BY version DESC LIMIT \(max(0, limit))
            """
        ).map(Self.formulaSummary)
    }

    /// Whether a refit of `scope` is due: the counter and the newest formula's input, read in
    /// one snapshot.
    public func fitState(scope: FormulaScope) async throws -> FitState {
        try await rows(
            """
            SELECT f.submissions, l.version, l.input_submissions
            FROM fit_state f LEFT JOIN LATERAL (
                SELECT version, input_submissions FROM formulas WHERE scope = f.scope ORDER BY version DESC LIMIT 1
            ) l ON true
            WHERE f.scope = \(scope.rawValue)
            """
        ).map { row in
            let submissions: Int = try row.decoded("submissions")
            let input = try row.decoded("input_submissions", as: Int?.self) ?? 0
            return FitState(
                submissions: submissions, latestVersion: try row.decoded("version"),
                pending: max(0, submissions - input))
        }.first ?? FitState(submissions: 0, latestVersion: nil, pending: 0)
    }

    // MARK: Row mapping

    static func formulaSummary(_ row: PostgresRandomAccessRow) throws -> FormulaSummary {
        let scopeText: String = try row.decoded("scope")
        guard let scope = FormulaScope(rawValue: scopeText) else {
            throw StoreCorruption("unknown formula scope \(scopeText)")
        }
        return FormulaSummary(
            version: try row.decoded("version"), createdAt: StoreTime.date(milliseconds: try row.decoded("created_at")),
            scope: scope, sources: try row.decoded("sources"), inputSubmissions: try row.decoded("input_submissions"),
            metrics: FormulaMetrics(
                globalName: try row.decoded("global_name"), globalText: try row.decoded("global_text"),
                heldOutRegret: try row.decoded("held_out_regret"),
                pypyDefaultRegret: try row.decoded("pypy_default_regret"),
                bestConstantRegret: try row.decoded("best_constant_regret"), noiseFloor: try row.decoded("noise_floor"),
                gainOverDefault: try row.decoded("gain_over_default"), machines: try row.decoded("machines"),
                curves: try row.decoded("curves"), cpuModels: try row.decoded("cpu_models")),
            fitMilliseconds: try row.decoded("fit_milliseconds"))
    }

    static func storedFormula(_ row: PostgresRandomAccessRow) throws -> StoredFormula {
        StoredFormula(
            summary: try formulaSummary(row), reportJSON: try row.decoded("report_json"),
            intervalsJSON: try row.decoded("intervals_json"))
    }
}
