import CrowdspeedStore
import Foundation
import Hummingbird
import Logging

/// `GET /healthz`: 200 when the server can read its database, 503 otherwise — what a load
/// balancer or `systemd` watchdog needs to decide whether to send traffic or restart.
public struct HealthController: Sendable {
    /// The store whose readability is checked.
    let store: any ResultStore

    /// Creates the controller.
    public init(store: any ResultStore) {
        self.store = store
    }

    /// The routes, relative to `/healthz`.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: check)
        return routes
    }

    /// The body of a healthy answer.
    struct Health: Encodable, Sendable {
        var status: String
    }

    /// Reads one machine row: cheap, and it exercises the pool, the schema and the file.
    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<Health> {
        do {
            _ = try await store.machines(limit: 1, offset: 0)
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.serviceUnavailable, detail: "The database cannot be read")
        }
        return JSONResponse(value: Health(status: "ok"))
    }
}
