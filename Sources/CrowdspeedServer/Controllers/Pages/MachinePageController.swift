import Foundation
import CrowdspeedCore
import CrowdspeedStore
import Hummingbird

/// `GET /machines/{id}`: one machine.
struct MachinePageController: Sendable {
    let context: PageContext

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("machines/:id", use: show)
        return routes
    }

    /// Renders the machine from its row, runs, curves, JSON summaries and version history; 400 for a malformed
    /// id and 404 for an unknown one, both as HTML pages.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let id = requestContext.parameters.get("id") ?? ""
        guard MachinesController.isMachineID(id) else {
            throw APIError.badParameter("id", "is not a machine id (m- followed by 16 hex digits)")
        }
        let stores = context.stores
        guard let detail = try await stores.results.machine(id: id) else {
            throw APIError.notFound("No machine with id \(id)")
        }
        async let curves = stores.curves.machineCurves(machineID: id)
        async let summaries = stores.dashboard.resultSummaries(
            machineIDs: [id], benchmarks: [BenchmarkName.jsonDumps, BenchmarkName.jsonLoads])
        async let statistics = stores.comparisons.machineStatistics(machineID: id)
        let formula = await context.currentFormula()
        var model = MachinePageModel(
            detail: detail, curves: try await curves, summaries: try await summaries, formula: formula,
            site: context.renderer.site)
        model.history = MachineHistory(try await statistics)
        return HTMLResponse(html: context.renderer.render(model, template: "machine"))
    }
}
