import CrowdspeedCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Renders errors on page routes as an HTML page with the real status (404 for an unknown
/// machine, 400 for a bad query parameter), so a person following a stale link sees a page and
/// a crawler sees the status. `/api/…` and the other machine-facing paths are left to
/// ``ProblemMiddleware``, which sits outside this one and keeps answering problem+json.
///
/// The status, detail and extra headers (`Allow` for 405) come from ``ProblemMiddleware``'s one
/// error table, so both kinds of answer agree.
struct HTMLErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let renderer: PageRenderer

    /// Passes the request on; a page route's error becomes an error page.
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            guard Self.wantsPage(path: request.uri.path, accept: request.headers[.accept]) else { throw error }
            let mapped = ProblemMiddleware<Context>.problem(for: error)
            if mapped.isFailure {
                context.logger.error(
                    "page failed",
                    metadata: ["error": "\(String(reflecting: error))", "error.type": "\(type(of: error))"])
            } else {
                context.logger.log(
                    level: mapped.logLevel, "page refused",
                    metadata: [
                        "status": "\(mapped.problem.status)",
                        "problem": "\(mapped.problem.detail ?? mapped.problem.title)",
                    ])
            }
            let model = ErrorPageModel(
                status: mapped.problem.status, title: mapped.problem.title,
                detail: mapped.problem.status >= 500
                    ? "The server failed to show this page. If it keeps happening, tell the operator the request id \(context.requestID)."
                    : mapped.problem.detail ?? mapped.problem.title,
                site: renderer.site)
            var headers = mapped.headers
            headers[.cacheControl] = "no-store"
            return try HTMLResponse(
                html: renderer.render(model, template: "error"),
                status: HTTPResponse.Status(code: mapped.problem.status), headers: headers
            ).response(from: request, context: context)
        }
    }

    /// The dashboard's own paths: errors there are always pages.
    static let pagePrefixes = [
        "/machines", "/compare", "/formulas", "/timeline", "/submit", "/changes", "/versions",
    ]

    /// Whether an error on `path` is answered for people (HTML) rather than for programs:
    /// always on the dashboard's own paths, and on other unknown non-API paths when the client
    /// asks for HTML (a browser), so `curl` and API clients keep getting problem+json.
    static func wantsPage(path: String, accept: String?) -> Bool {
        guard isPagePath(path) else { return false }
        let isDashboardPath = path == "/" || pagePrefixes.contains { path == $0 || path.hasPrefix($0 + "/") }
        return isDashboardPath || accept?.contains("text/html") == true
    }

    /// Whether `path` may be answered for people at all (everything but the machine-facing paths).
    static func isPagePath(_ path: String) -> Bool {
        let machinePaths = ["/api/", "/healthz", "/metrics", "/openapi.json", "/vendor/", "/static/", "/admin/api"]
        return !machinePaths.contains {
            path == $0 || path.hasPrefix($0) || $0.hasSuffix("/") && path == String($0.dropLast())
        }
    }
}
