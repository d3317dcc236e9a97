import Foundation
import CrowdspeedStore
import Hummingbird

/// `GET /`: the overview.
struct OverviewPageController: Sendable {
    let context: PageContext
    /// The chart's machines, shared by every request for ``chartLifetime``: the one read of the
    /// page whose cost does not stay small as the population grows.
    let chartRows: RecentValue<[MachineTableRow]>

    /// How stale the chart may be. The counts and the latest runs beside it are always current.
    static let chartLifetime: Duration = .seconds(15)

    init(context: PageContext) {
        self.context = context
        let store = context.stores.dashboard
        chartRows = RecentValue(lifetime: Self.chartLifetime) {
            try await store.machineTable(MachineTableQuery(sort: .seen, limit: Self.chartMachines))
        }
    }

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
        async let machines = chartRows.value()
        let formula = await context.currentFormula()
        let model = OverviewPageModel(
            counts: try await counts, latest: try await latest, machines: try await machines, formula: formula,
            site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "overview"))
    }
}
