import CrowdspeedCore
import HTTPTypes

/// An error raised by the HTTP layer itself (a bad query parameter, a wrong content type, an
/// unknown path), already knowing its status. Domain errors (``SubmissionRejection``,
/// `StoreError`) stay free of HTTP and are translated by ``ProblemMiddleware`` instead.
public struct APIError: Error, Sendable, Equatable {
    /// The response status.
    public var status: HTTPResponse.Status
    /// One sentence a client can act on.
    public var detail: String
    /// The fields at fault, when the problem is about particular fields.
    public var issues: [FieldIssue]
    /// Extra response headers (`Allow` for 405).
    public var headers: HTTPFields

    /// Creates an error with a status, a detail sentence, field issues and extra headers.
    public init(_ status: HTTPResponse.Status, detail: String, issues: [FieldIssue] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.issues = issues
        self.headers = headers
    }

    /// 400 for a request parameter or query item that is not acceptable.
    public static func badParameter(_ field: String, _ reason: String) -> APIError {
        APIError(.badRequest, detail: "\(field) \(reason)", issues: [FieldIssue(field: field, reason: reason)])
    }

    /// 400 for a body that could not be read as a submission (not JSON, wrong types, non-finite
    /// numbers): the client must fix its encoder, not its data.
    public static func malformed(_ rejection: SubmissionRejection) -> APIError {
        APIError(
            .badRequest,
            detail: "The body is not a well-formed submission: \(rejection.issues.first?.description ?? "unreadable")",
            issues: rejection.issues)
    }

    /// 404 for something that does not exist.
    public static func notFound(_ detail: String) -> APIError {
        APIError(.notFound, detail: detail)
    }

    /// 405 naming the methods the path does answer.
    public static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        var headers = HTTPFields()
        headers[.allow] = list
        return APIError(
            .methodNotAllowed, detail: "\(method.rawValue) is not supported here; use \(list)", headers: headers)
    }

    /// 401 for a request that needs a bearer token and carries none.
    public static func unauthorized(_ detail: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"crowdspeed\""
        return APIError(.unauthorized, detail: detail, headers: headers)
    }

    /// 403 for a token that does not grant the request.
    public static func forbidden(_ detail: String) -> APIError {
        APIError(.forbidden, detail: detail)
    }

    /// 429 with `Retry-After` when a rate limit is exhausted; `scope` says which one.
    public static func tooManyRequests(retryAfterSeconds: Int, scope: String) -> APIError {
        var headers = HTTPFields()
        headers[.retryAfter] = String(retryAfterSeconds)
        return APIError(
            .tooManyRequests,
            detail: "Too many requests from this \(scope); retry after \(retryAfterSeconds) s", headers: headers)
    }

    /// 413 for a body above the configured limit.
    public static func contentTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, detail: "The request body exceeds the limit of \(limit) bytes")
    }

    /// 415 for a body that is not declared as JSON.
    public static func unsupportedMediaType(_ received: String?) -> APIError {
        APIError(
            .unsupportedMediaType,
            detail: "Send the body as application/json; received \(received.map { "'\($0)'" } ?? "no Content-Type")",
            issues: [FieldIssue(field: "Content-Type", reason: "must be application/json")])
    }
}
