import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Hummingbird

/// `GET /formulas`: the served formula, its competitors and baselines, classes and history.
struct FormulasPageController: Sendable {
    let context: PageContext

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
        async let verifications = stores.verifications.verifications(
            VerificationQuery(sizeSource: .formula, limit: Self.verificationsRead))
        let formula = await context.currentFormula()
        let model = FormulasPageModel(
            formula: formula, machines: try await machines, history: try await history,
            realized: RealizedGains.byFormula(try await verifications), site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "formulas"))
    }
}
