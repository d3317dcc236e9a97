import Foundation
import CrowdspeedStore
import Hummingbird

/// `GET /`: the overview.
struct OverviewPageController: Sendable {
    let context: PageContext

    /// How many machines the headline chart plots at most (the most recently seen).
    static let chartMachines = 2000
    /// How many submissions the "latest" table lists.
    static let latestCount = 10

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: show)
        return routes
    }

    /// Renders the overview from the counts, the newest submissions, the machines table and
    /// the served formula.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let store = context.stores.dashboard
        async let counts = store.dashboardCounts()
        async let latest = store.latestSubmissions(limit: Self.latestCount)
        async let machines = store.machineTable(MachineTableQuery(sort: .seen, limit: Self.chartMachines))
        let formula = await context.currentFormula()
        let model = OverviewPageModel(
            counts: try await counts, latest: try await latest, machines: try await machines, formula: formula,
            site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "overview"))
    }
}
