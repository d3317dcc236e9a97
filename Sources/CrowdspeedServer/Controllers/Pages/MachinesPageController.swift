import Foundation
import CrowdspeedStore
import Hummingbird

/// `GET /machines?q=&sort=&dir=&offset=`: the machines table, sorted and filtered in the
/// database, so it works without JavaScript and with any number of machines.
struct MachinesPageController: Sendable {
    let context: PageContext

    /// Rows per page.
    static let pageSize = 100

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("machines", use: show)
        return routes
    }

    /// Renders one page of the table; 400 (as an HTML page) for an unknown sort column or a
    /// bad offset.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let query = try Self.query(request.uri.queryParameters)
        async let rows = context.stores.dashboard.machineTable(query)
        async let matching = context.stores.dashboard.machineCount(filter: query.filter)
        let result = MachineTablePage(rows: try await rows, matching: try await matching)
        let model = MachinesPageModel(query: query, result: result, site: context.renderer.site)
        return HTMLResponse(html: context.renderer.render(model, template: "machines"))
    }

    /// Reads `q`, `sort`, `dir` and `offset`.
    static func query(_ parameters: Parameters) throws -> MachineTableQuery {
        var query = MachineTableQuery(limit: pageSize)
        if let text = parameters.get("q") {
            let filter = text.trimmingCharacters(in: .whitespaces)
            guard filter.count <= 100 else { throw APIError.badParameter("q", "must be at most 100 characters") }
            query.filter = filter.isEmpty ? nil : filter
        }
        if let text = parameters.get("sort") {
            guard let key = MachineTableQuery.SortKey(rawValue: text) else {
                let keys = MachineTableQuery.SortKey.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badParameter("sort", "must be one of \(keys)")
            }
            query.sort = key
            // Text columns read best A→Z unless asked otherwise.
            query.descending = !(key == .vendor || key == .model)
        }
        if let text = parameters.get("dir") {
            guard text == "asc" || text == "desc" else { throw APIError.badParameter("dir", "must be asc or desc") }
            query.descending = text == "desc"
        }
        query.offset = try MachinesController.integer(parameters, "offset", default: 0, minimum: 0)
        return query
    }
}
