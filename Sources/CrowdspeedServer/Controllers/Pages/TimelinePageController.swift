import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Hummingbird

/// `GET /timeline`: results across interpreter versions.
struct TimelinePageController: Sendable {
    let context: PageContext
    let center: SpeedCenter

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("timeline", use: show)
        return routes
    }

    /// Renders the levels from the per-machine default-setting timings in `result_summaries` and
    /// the steps from the speed center's paired comparisons.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let timings = try await context.stores.dashboard.interpreterTimings(benchmarks: BenchmarkName.all)
        let model = TimelinePageModel(
            timings: timings, snapshot: try await center.current(), site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "timeline"))
    }
}
