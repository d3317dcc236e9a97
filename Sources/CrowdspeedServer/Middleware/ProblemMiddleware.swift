import CrowdspeedCore
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every error thrown below it — domain errors, ``APIError``, Hummingbird's own `HTTPError`
/// (unknown route, body too large), decoding failures — into an `application/problem+json`
/// response with the right status, so no client ever sees an empty or HTML error.
///
/// Bad input is answered 4xx and logged at info, a planned 503 ("no formula yet", with
/// `Retry-After`) at notice; anything unrecognised is a bug and answered 500 with a generic
/// body, logged at error level with the request id so the operator can find it from the
/// client's report (``MappedProblem/isFailure`` draws the line).
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Passes the request on and converts any error into a problem response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let mapped = Self.problem(for: error)
            if mapped.isFailure {
                context.logger.error(
                    "request failed",
                    metadata: [
                        "error": "\(String(reflecting: error))",
                        "error.type": "\(type(of: error))",
                    ])
            } else {
                context.logger.log(
                    level: mapped.logLevel, "request refused",
                    metadata: [
                        "status": "\(mapped.problem.status)",
                        "problem": "\(mapped.problem.detail ?? mapped.problem.title)",
                    ])
            }
            return Self.response(mapped.problem, headers: mapped.headers)
        }
    }

    /// Builds an `application/problem+json` response for `problem`.
    static func response(_ problem: ProblemDetails, headers: HTTPFields = [:]) -> Response {
        // The problem types hold only strings and integers, so encoding cannot fail; the fallback
        // exists so an error path never throws again.
        let data =
            (try? WireCoding.makeEncoder().encode(problem))
            ?? Data(#"{"status":500,"title":"Internal Server Error","type":"about:blank"}"#.utf8)
        var fields = headers
        fields[.contentType] = ProblemDetails.mediaType
        fields[.contentLength] = String(data.count)
        // Errors are about this request only; a cache must not replay them.
        fields[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: problem.status),
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
