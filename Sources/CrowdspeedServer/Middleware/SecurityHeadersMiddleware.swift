import HTTPTypes
import Hummingbird

/// Stamps browser security headers on every response, problems and static files included, so a
/// page can never run a script it did not load from this server, be framed, or leak its URL.
///
/// - `Content-Security-Policy`: scripts and everything else only from this origin, no inline
///   scripts, no plugins, no framing, no `<base>` rewriting. Submitted strings are escaped
///   everywhere already; the policy is the second line should an escape ever be missed.
/// - `X-Content-Type-Options: nosniff`: a JSON body is never sniffed into HTML or script.
/// - `Referrer-Policy: no-referrer`: links out of the dashboard reveal nothing.
/// - `X-Frame-Options: DENY`: `frame-ancestors` for browsers that predate CSP level 2.
///
/// It runs outermost, so a value set by an inner handler is overwritten: one policy for all.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The policy sent on every response.
    public static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    }

    /// The headers and their values, in one place for the middleware and its test.
    public static var headers: HTTPFields {
        var fields = HTTPFields()
        fields[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return fields
    }

    /// Creates the middleware.
    public init() {}

    /// Runs the request and sets the headers on its response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response = try await next(request, context)
        for field in Self.headers {
            response.headers[field.name] = field.value
        }
        return response
    }
}
