import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Hummingbird

/// `/api/v1/machines`: the machines that have submitted, paginated, and one machine with its runs.
public struct MachinesController: Sendable {
    /// Where machines are read from.
    let store: any ResultStore

    /// The path the collection is mounted at.
    public static let basePath = "/api/v1/machines"
    /// Page size when the client gives none.
    public static let defaultLimit = 50
    /// The largest page served; larger requests are capped, not refused, so a client asking for
    /// "everything" still gets a correct (if partial) page and a `next` link.
    public static let maxLimit = 200

    /// Creates the controller.
    public init(store: any ResultStore) {
        self.store = store
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: list)
        routes.get(":id", use: show)
        return routes
    }

    /// The canonical link to one machine.
    static func link(_ id: String) -> String {
        "\(basePath)/\(id)"
    }

    /// `GET /api/v1/machines?limit=&offset=`: one page, most recently seen first. 400 for a
    /// limit or offset that is not a non-negative integer (limit at least 1).
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<
        MachineListDocument
    > {
        let query = request.uri.queryParameters
        let limit = min(try Self.integer(query, "limit", default: Self.defaultLimit, minimum: 1), Self.maxLimit)
        let offset = try Self.integer(query, "offset", default: 0, minimum: 0)
        let page = try await store.machines(limit: limit, offset: offset)
        var links = ["self": Self.pageLink(limit: limit, offset: offset)]
        if offset + page.machines.count < page.total {
            links["next"] = Self.pageLink(limit: limit, offset: offset + limit)
        }
        if offset > 0 {
            links["prev"] = Self.pageLink(limit: limit, offset: max(0, offset - limit))
        }
        return JSONResponse(
            value: MachineListDocument(page, limit: limit, offset: offset, links: links))
    }

    /// `GET /api/v1/machines/{id}`: 400 for a malformed id, 404 for an unknown one.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<MachineDocument> {
        let id = context.parameters.get("id") ?? ""
        guard Self.isMachineID(id) else {
            throw APIError.badParameter("id", "is not a machine id (m- followed by 16 hex digits)")
        }
        guard let detail = try await store.machine(id: id) else {
            throw APIError.notFound("No machine with id \(id)")
        }
        return JSONResponse(value: MachineDocument(detail, links: ["self": Self.link(id)]))
    }

    /// Reads an optional integer query item, refusing repeats, non-integers and values below
    /// `minimum` with a 400 that names the parameter.
    static func integer(_ query: Parameters, _ name: String, default value: Int, minimum: Int) throws -> Int {
        let values = query[values: name[...]]
        guard let text = values.first else { return value }
        guard values.count == 1 else { throw APIError.badParameter(name, "is given more than once") }
        guard let number = Int(text) else { throw APIError.badParameter(name, "is not an integer") }
        guard number >= minimum else { throw APIError.badParameter(name, "must be at least \(minimum)") }
        // SQLite offsets are 64-bit, but nothing real lies beyond a billion rows; refusing larger
        // values keeps `offset + limit` far from overflow.
        guard number <= 1_000_000_000 else { throw APIError.badParameter(name, "is too large") }
        return number
    }

    /// Whether `id` has the shape `MachineInfo.machineID` produces.
    static func isMachineID(_ id: String) -> Bool { MachineInfo.isWellFormedID(id) }

    private static func pageLink(limit: Int, offset: Int) -> String {
        "\(basePath)?limit=\(limit)&offset=\(offset)"
    }
}
