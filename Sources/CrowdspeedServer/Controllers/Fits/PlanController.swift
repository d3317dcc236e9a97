import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import Foundation
import Hummingbird

/// `GET /api/v1/plan`: the nursery sizes worth timing on a machine described by its hardware
/// (the recommendation route's parameters, without `machine` and `format`), and when to stop.
/// See ``SweepPlan`` for how the sizes are chosen.
///
/// Statuses: 200, also before the first formula (the full grid, `"basis": "full_grid"`: an agent
/// then sweeps as it would offline, with one code path); 304 when `If-None-Match` matches; 400
/// naming the parameter for any bad, missing, repeated or unknown parameter. Answers depend only
/// on the formula version and the query, so they carry a strong `ETag` like the recommendations.
public struct PlanController: Sendable {
    let cache: FormulaCache
    let scope: FormulaScope

    /// The route's path.
    public static let path = "/api/v1/plan"

    static let allParameters: Set<String> = HardwareQuery.parameters.union(["procs", "pypy_version"])

    /// Creates the controller.
    public init(cache: FormulaCache, scope: FormulaScope) {
        self.cache = cache
        self.scope = scope
    }

    /// The route, relative to ``path``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: plan)
        return routes
    }

    @Sendable func plan(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = QueryReader(parameters: request.uri.queryParameters)
        try query.check(allowed: Self.allParameters)
        let procs = try HardwareQuery.procs(query)
        let pypyVersion = try HardwareQuery.pypyVersion(query)
        let hardware = try HardwareQuery.read(query, procs: procs)
        let formula = try await cache.latest(scope: scope)
        let plan = SweepPlan.plan(
            features: hardware.features, pypyVersion: pypyVersion, report: formula?.report,
            intervals: formula?.intervals ?? [:])
        return CachedAnswer.respond(
            request, etag: CachedAnswer.etag(version: formula?.version ?? 0, hardware.cacheKey + [pypyVersion ?? ""]),
            contentType: "application/json; charset=utf-8",
            body: try CachedAnswer.json(Self.document(plan, formula: formula, procs: procs)))
    }

    /// The wire form of `plan`.
    static func document(_ plan: SweepPlan, formula: FittedFormula?, procs: Int) -> PlanDocument {
        guard case .adaptive(let minimum, let maximum) = plan.stopping.mode else {
            preconditionFailure("a plan's stopping rule is adaptive")
        }
        var links = ["formulas": FormulasController.basePath]
        if let formula { links["formula"] = FormulasController.link(formula.version) }
        return PlanDocument(
            basis: plan.basis.rawValue,
            nurseries: plan.nurseries.map { .init(nurseryBytes: $0, pypyGCNursery: NurserySize.format($0)) },
            predictedNurseryBytes: plan.predictedBytes, bandLowerBytes: plan.band?.lowerBound,
            bandUpperBytes: plan.band?.upperBound, pypyDefaultBytes: plan.pypyDefaultBytes,
            stopping: .init(minimumRounds: minimum, maximumRounds: maximum, tolerance: plan.stopping.tolerance),
            formulaVersion: plan.basis == .formula ? formula?.version : nil, procs: procs, links: links)
    }
}
