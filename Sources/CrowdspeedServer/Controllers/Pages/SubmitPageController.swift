import Foundation
import Hummingbird

/// `GET /submit`: the install one-liner and the agent commands for this server.
struct SubmitPageController: Sendable {
    let context: PageContext
    /// The agent builds this server offers (the one-liner needs one for the visitor's platform).
    let downloads: AgentDownloadsController

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("submit", use: show)
        return routes
    }

    /// Renders the commands with the configured public URL, else the request's own origin.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        let site = context.renderer.site
        let url = site.publicURL ?? Self.origin(host: request.head.authority)
        let model = SubmitPageModel(
            serverURL: url, fromHost: site.publicURL == nil, builds: downloads.available(), site: site)
        return HTMLResponse(html: context.renderer.render(model, template: "submit"))
    }

    /// `http://HOST` from a Host header; a missing or malformed one gives a placeholder rather
    /// than echoing arbitrary text into a command people copy.
    static func origin(host: String?) -> String {
        guard let host, !host.isEmpty, host.count <= 255,
            host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]_".contains($0) }),
            host.unicodeScalars.allSatisfy(\.isASCII)
        else { return "http://SERVER:8080" }
        return "http://\(host)"
    }
}
