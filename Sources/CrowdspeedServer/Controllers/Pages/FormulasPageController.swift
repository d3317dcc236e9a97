import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Hummingbird

/// `GET /formulas`: the served formula, its competitors and baselines, classes and history.
struct FormulasPageController: Sendable {
    let context: PageContext
    /// The realized gains of formulas' sizes, shared by every request for ``realizedLifetime``
    /// while the served formula stays the same: reading and summarizing 10 000 verifications took
    /// 0.24–0.37 s (debug build, loaded 2-core machine), far more than the rest of the page.
    let realized = RecentValue<Int?, [RealizedGains]>(lifetime: Self.realizedLifetime)

    /// How stale the realized gains may be.
    static let realizedLifetime: Duration = .seconds(15)

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("formulas", use: show)
        return routes
    }

    /// The most recent verifications of formulas' sizes the realized gains are summarized over.
    static let verificationsRead = 10_000

    /// Renders from the decoded formula, the machines table and the history.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let stores = context.stores
        async let machines = stores.dashboard.machineTable(
            MachineTableQuery(sort: .seen, limit: OverviewPageController.chartMachines))
        async let history = stores.fits.formulaHistory(scope: context.scope, limit: 50)
        let formula = await context.currentFormula()
        let verifications = stores.verifications
        async let realized = self.realized.value(for: formula?.version) {
            RealizedGains.byFormula(try await verifications.formulaVerificationGains(limit: Self.verificationsRead))
        }
        let model = FormulasPageModel(
            formula: formula, machines: try await machines, history: try await history,
            realized: try await realized, site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "formulas"))
    }
}
