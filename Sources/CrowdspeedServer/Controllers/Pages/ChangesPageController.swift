import CrowdspeedFit
import Foundation
import Hummingbird

/// `GET /changes`: the newest comparisons, regressions first. `GET /versions`: one comparison
/// picked by implementation and versions. Both read the speed center's cached comparisons.
struct ChangesPageController: Sendable {
    let context: PageContext
    let center: SpeedCenter

    /// The routes.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("changes", use: changes)
        routes.get("versions", use: versions)
        return routes
    }

    @Sendable func changes(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        try QueryReader(parameters: request.uri.queryParameters).check(allowed: [])
        let model = ChangesPageModel(snapshot: try await center.current(), site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "changes"))
    }

    /// Without parameters, the newest change (or, before any two versions share enough machines,
    /// a page that says so); with parameters, errors are those of the API.
    @Sendable func versions(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse
    {
        let snapshot = try await center.current()
        let parameters = request.uri.queryParameters
        let query =
            parameters.isEmpty
            ? snapshot.changes.first.map { VersionQuery(implementation: $0.implementation, from: $0.from, to: $0.to) }
            : try VersionQuery(parameters, snapshot: snapshot)
        var comparison: VersionComparison?
        var drift: NurseryDrift?
        if let query {
            comparison = await center.comparison(
                snapshot, implementation: query.implementation, from: query.from, to: query.to)
            if query.implementation.lowercased() == "pypy" {
                drift = await center.drift(snapshot, from: query.from, to: query.to)
            }
        }
        let model = VersionsPageModel(
            snapshot: snapshot, query: query, comparison: comparison, drift: drift, site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "versions"))
    }
}
