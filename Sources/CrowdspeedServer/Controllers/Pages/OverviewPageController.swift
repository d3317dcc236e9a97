import Foundation
import CrowdspeedPipeline
import CrowdspeedStore
import Hummingbird

/// `GET /`: the overview.
struct OverviewPageController: Sendable {
    let context: PageContext
    /// The headline chart, shared by every request for ``chartLifetime`` while the served
    /// formula stays the same: the one part of the page whose cost grows with the population.
    let chart = RecentValue<ChartKey, OverviewChart>(lifetime: Self.chartLifetime)

    /// What the chart must never be stale about: which formula's predictions it shows.
    struct ChartKey: Equatable, Sendable {
        var version: Int?
        var synthetic: Bool
    }

    /// How stale the chart's machines may be. The counts and the latest runs beside it are always
    /// current.
    static let chartLifetime: Duration = .seconds(15)

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
        let formula = await context.currentFormula()
        let renderer = context.renderer
        let chart = try await self.chart.value(
            for: ChartKey(version: formula?.version, synthetic: formula?.isSynthetic ?? false)
        ) {
            OverviewChart(
                machines: try await store.machineTable(MachineTableQuery(sort: .seen, limit: Self.chartMachines)),
                formula: formula, renderer: renderer)
        }
        let model = OverviewPageModel(
            counts: try await counts, latest: try await latest, chart: chart, formula: formula,
            site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "overview"))
    }
}
