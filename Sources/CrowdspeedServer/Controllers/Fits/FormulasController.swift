import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation
import Hummingbird

/// `/api/v1/formulas`: the served formulas with their held-out regret beside the baselines, the
/// version history, one version in full, and one version as Python for PyPy's `env.py`.
public struct FormulasController: Sendable {
    let store: any FitStore
    let cache: FormulaCache
    /// The scope served: `.real`, or `.synthetic` on a demo server.
    let scope: FormulaScope

    /// The path the collection is mounted at.
    public static let basePath = "/api/v1/formulas"
    /// History entries listed.
    static let historyLimit = 100

    /// Creates the controller.
    public init(store: any FitStore, cache: FormulaCache, scope: FormulaScope) {
        self.store = store
        self.cache = cache
        self.scope = scope
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: list)
        routes.get(":version", use: show)
        return routes
    }

    /// The canonical link to one version.
    static func link(_ version: Int) -> String { "\(basePath)/\(version)" }

    /// The body of `GET /api/v1/formulas`.
    struct ListDocument: Encodable {
        var scope: FormulaScope
        var synthetic: Bool
        /// Nil until the first fit.
        var current: FormulaDocument?
        var history: [FormulaSummaryDocument]
        enum CodingKeys: String, CodingKey { case scope, synthetic, current, history }
    }

    /// `GET /api/v1/formulas[?scope=real|synthetic]`: the current formula set of the scope
    /// (the served one by default) and its history, newest first. 200 with `current: null`
    /// before the first fit.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = QueryReader(parameters: request.uri.queryParameters)
        try query.check(allowed: ["scope"])
        let scopeText = try query.choice("scope", FormulaScope.allCases.map(\.rawValue), default: scope.rawValue)
        let scope = FormulaScope(rawValue: scopeText) ?? scope
        let current = try await cache.latest(scope: scope)
        let history = try await store.formulaHistory(scope: scope, limit: Self.historyLimit)
        let body = try CachedAnswer.json(
            ListDocument(
                scope: scope, synthetic: scope == .synthetic, current: current.map(FormulaDocument.init),
                history: history.map(FormulaSummaryDocument.init)))
        return CachedAnswer.respond(
            request, etag: CachedAnswer.etag(version: current?.version ?? 0, ["list", scope.rawValue]),
            contentType: "application/json; charset=utf-8", body: body)
    }

    /// `GET /api/v1/formulas/{version}[?format=json|python]`: one version in full, or as a Python
    /// module whose functions could replace PyPy's rule in `env.py`. 400 for a version that is
    /// not a positive integer or an unknown format, 404 for an unknown version. A stored version
    /// never changes, so the answer is cacheable for a day.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = QueryReader(parameters: request.uri.queryParameters)
        try query.check(allowed: ["format"])
        let format = try query.choice("format", ["json", "python"], default: "json")
        let text = context.parameters.get("version") ?? ""
        guard let version = Int(text), version >= 1, version <= 1_000_000_000 else {
            throw APIError.badParameter("version", "is not a formula version (a positive integer)")
        }
        guard let formula = try await cache.formula(version: version) else {
            throw APIError.notFound("No formula with version \(version)")
        }
        let etag = CachedAnswer.etag(version: version, ["formula", format])
        let immutable = "public, max-age=86400"
        if format == "python" {
            return CachedAnswer.respond(
                request, etag: etag, contentType: "text/x-python; charset=utf-8", body: Data(Self.python(formula).utf8),
                cacheControl: immutable)
        }
        return CachedAnswer.respond(
            request, etag: etag, contentType: "application/json; charset=utf-8",
            body: try CachedAnswer.json(FormulaDocument(formula)),
            cacheControl: immutable)
    }

    /// A Python module for PyPy's `rpython/memory/gc/env.py`: `crowdspeed_nursery_size(l2, l3,
    /// cores, procs)` for the global formula, one function per accepted hardware class, and
    /// `crowdspeed_nursery_size_for(arch, vendor, …)` choosing between them. Sizes in bytes,
    /// `l3 = 0` without an L3; only arithmetic and `math.log` are used.
    static func python(_ formula: FittedFormula) -> String {
        let report = formula.report
        let metrics = formula.summary.metrics
        func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", 100 * $0) } ?? "n/a" }
        var lines = [
            "# Crowdspeed nursery formula, version \(formula.version) (\(formula.summary.scope.rawValue) data: \(formula.summary.sources)).",
            "# Held-out regret \(percent(metrics.heldOutRegret)) vs PyPy's own rule \(percent(metrics.pypyDefaultRegret)),"
                + " best constant \(percent(metrics.bestConstantRegret)), noise floor \(percent(metrics.noiseFloor));",
            "# \(metrics.machines) machines, \(metrics.curves) curves, \(metrics.cpuModels) CPU models.",
        ]
        if formula.isSynthetic {
            lines.append("# SYNTHETIC DATA: for demonstrations only, not advice for real machines.")
        }
        lines.append("")
        var module = lines.joined(separator: "\n") + "\n"
        module += report.global.formula.pythonSnippet(name: "crowdspeed_nursery_size")
        let accepted = report.classes.filter(\.accepted)
        var dispatch = [
            "", "", "def crowdspeed_nursery_size_for(arch, vendor, l2, l3, cores, procs):",
            "    \"\"\"Chooses the hardware class's own formula when it has one.\"\"\"",
        ]
        for fit in accepted {
            let name = "crowdspeed_nursery_size_" + Self.pythonIdentifier(fit.hardwareClass.description)
            module += "\n\n" + fit.evaluation.formula.pythonSnippet(name: name)
            dispatch.append(
                "    if (arch, vendor) == (\(Self.pythonString(fit.hardwareClass.arch)), \(Self.pythonString(fit.hardwareClass.cpuVendor))):"
            )
            dispatch.append("        return \(name)(l2, l3, cores, procs)")
        }
        dispatch.append("    return crowdspeed_nursery_size(l2, l3, cores, procs)")
        return module + dispatch.joined(separator: "\n") + "\n"
    }

    /// `x86_64/GenuineIntel` → `x86_64_genuineintel`.
    static func pythonIdentifier(_ text: String) -> String {
        String(text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// A Python string literal for submitted text: a JSON string literal, which Python 3 reads
    /// as the same string (escapes included), so no submitted character can end the literal.
    static func pythonString(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(text), as: UTF8.self)) ?? "''"
    }
}
