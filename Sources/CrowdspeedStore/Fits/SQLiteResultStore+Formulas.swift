import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Stores a fitted formula under the next version number and returns that version.
    public func insertFormula(_ formula: NewFormula) async throws -> Int {
        try await writer.write { db -> Int in
            let next = (try Int.fetchOne(db, sql: "SELECT max(version) FROM formulas") ?? 0) + 1
            let m = formula.metrics
            try db.execute(
                sql: """
                    INSERT INTO formulas (version, created_at, scope, sources, input_submissions, global_name, global_text,
                        held_out_regret, pypy_default_regret, best_constant_regret, noise_floor, gain_over_default, machines,
                        curves, cpu_models, fit_milliseconds, report_json, intervals_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    next, StoreTime.milliseconds(formula.createdAt), formula.scope.rawValue, formula.scope.sourcesText,
                    formula.inputSubmissions, m.globalName, m.globalText, m.heldOutRegret?.finiteValue,
                    m.pypyDefaultRegret?.finiteValue, m.bestConstantRegret?.finiteValue, m.noiseFloor?.finiteValue,
                    m.gainOverDefault?.finiteValue, m.machines, m.curves, m.cpuModels, formula.fitMilliseconds,
                    formula.reportJSON, formula.intervalsJSON,
                ])
            return next
        }
    }

    /// The newest formula of `scope`, nil when none was fitted.
    public func latestFormula(scope: FormulaScope) async throws -> StoredFormula? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM formulas WHERE scope = ? ORDER BY version DESC LIMIT 1",
                arguments: [scope.rawValue]
            )
            .map(Self.storedFormula)
        }
    }

    /// The version of the newest formula of `scope` (a cheap check for caches).
    public func latestFormulaVersion(scope: FormulaScope) async throws -> Int? {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT max(version) FROM formulas WHERE scope = ?", arguments: [scope.rawValue])
        }
    }

    /// One formula by version, nil when unknown.
    public func formula(version: Int) async throws -> StoredFormula? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM formulas WHERE version = ?", arguments: [version]).map(
                Self.storedFormula)
        }
    }

    /// Formula history, newest first; all scopes when `scope` is nil.
    public func formulaHistory(scope: FormulaScope?, limit: Int) async throws -> [FormulaSummary] {
        try await writer.read { db in
            let columns = """
                version, created_at, scope, sources, input_submissions, global_name, global_text, held_out_regret,
                pypy_default_regret, best_constant_regret, noise_floor, gain_over_default, machines, curves, cpu_models,
                fit_milliseconds
                """
            let rows =
                if let scope {
                    try Row.fetchAll(
                        db, sql: "SELECT \(columns) FROM formulas WHERE scope = ? ORDER BY version DESC LIMIT ?",
                        arguments: [scope.rawValue, max(0, limit)])
                } else {
                    try Row.fetchAll(
                        db, sql: "SELECT \(columns) FROM formulas ORDER BY version DESC LIMIT ?",
                        arguments: [max(0, limit)])
                }
            return try rows.map(Self.formulaSummary)
        }
    }

    /// Whether a refit of `scope` is due: the counter and the newest formula's input.
    public func fitState(scope: FormulaScope) async throws -> FitState {
        try await writer.read { db in
            let submissions =
                try Int.fetchOne(
                    db, sql: "SELECT submissions FROM fit_state WHERE scope = ?", arguments: [scope.rawValue]) ?? 0
            let latest = try Row.fetchOne(
                db,
                sql: "SELECT version, input_submissions FROM formulas WHERE scope = ? ORDER BY version DESC LIMIT 1",
                arguments: [scope.rawValue])
            let version: Int? = latest?["version"]
            let input: Int = latest?["input_submissions"] ?? 0
            return FitState(submissions: submissions, latestVersion: version, pending: max(0, submissions - input))
        }
    }

    // MARK: Row mapping

    static func formulaSummary(_ row: Row) throws -> FormulaSummary {
        let scopeText: String = row["scope"]
        guard let scope = FormulaScope(rawValue: scopeText) else {
            throw StoreCorruption("unknown formula scope \(scopeText)")
        }
        return FormulaSummary(
            version: row["version"], createdAt: StoreTime.date(milliseconds: row["created_at"]), scope: scope,
            sources: row["sources"], inputSubmissions: row["input_submissions"],
            metrics: FormulaMetrics(
                globalName: row["global_name"], globalText: row["global_text"], heldOutRegret: row["held_out_regret"],
                pypyDefaultRegret: row["pypy_default_regret"], bestConstantRegret: row["best_constant_regret"],
                noiseFloor: row["noise_floor"], gainOverDefault: row["gain_over_default"], machines: row["machines"],
                curves: row["curves"], cpuModels: row["cpu_models"]),
            fitMilliseconds: row["fit_milliseconds"])
    }

    static func storedFormula(_ row: Row) throws -> StoredFormula {
        StoredFormula(
            summary: try formulaSummary(row), reportJSON: row["report_json"], intervalsJSON: row["intervals_json"])
    }
}
