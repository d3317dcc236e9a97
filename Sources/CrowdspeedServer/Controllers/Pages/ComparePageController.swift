import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Hummingbird

/// `GET /compare?m=ID&m=ID…`: 2–6 machines side by side, in a URL that can be shared.
struct ComparePageController: Sendable {
    let context: PageContext

    /// At most this many machines are compared.
    static let maxMachines = 6

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("compare", use: show)
        return routes
    }

    /// Renders the comparison; with fewer than two machines, a page explaining how to pick
    /// them. 400 for a malformed id or too many, 404 for an unknown one.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let ids = try Self.machineIDs(request.uri.queryParameters[values: "m"].map(String.init))
        let stores = context.stores
        var details: [MachineDetail] = []
        var curves: [String: [MachineCurve]] = [:]
        for id in ids {
            guard let detail = try await stores.results.machine(id: id) else {
                throw APIError.notFound("No machine with id \(id)")
            }
            details.append(detail)
            curves[id] = try await stores.curves.machineCurves(machineID: id)
        }
        let summaries = try await stores.dashboard.resultSummaries(
            machineIDs: ids, benchmarks: [BenchmarkName.jsonDumps, BenchmarkName.jsonLoads])
        let model = ComparePageModel(
            details: details, curves: curves, summaries: summaries, site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "compare"))
    }

    /// The distinct ids in the order given (several values per `m=` may be separated by commas
    /// or spaces, as the compare form sends them).
    static func machineIDs(_ values: [String]) throws -> [String] {
        var ids: [String] = []
        for value in values {
            for id in value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) where !ids.contains(id) {
                guard MachinesController.isMachineID(id) else {
                    throw APIError.badParameter("m", "must be machine ids (m- followed by 16 hex digits)")
                }
                ids.append(id)
            }
        }
        guard ids.count <= maxMachines else {
            throw APIError.badParameter("m", "names more than \(maxMachines) machines")
        }
        return ids
    }
}
