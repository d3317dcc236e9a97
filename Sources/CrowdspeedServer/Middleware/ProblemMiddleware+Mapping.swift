import CrowdspeedCore
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension ProblemMiddleware {
    /// A problem body with the extra headers its response carries.
    struct MappedProblem {
        var problem: ProblemDetails
        var headers: HTTPFields = [:]

        /// Whether the answer reports a fault of the server, as opposed to an answer it means
        /// to give: every 4xx (the client's request is at fault) and a 503 that says when to
        /// retry (a state the server leaves by itself, such as "no formula fitted yet") are
        /// expected; any other 5xx, unknown errors included, is a failure the operator must see.
        var isFailure: Bool {
            problem.status >= 500 && !(problem.status == 503 && headers[.retryAfter] != nil)
        }

        /// The level an answer is logged at: error for failures, notice for an expected 503
        /// (the operator may want to know the server is not ready), info for refused requests.
        var logLevel: Logger.Level {
            if isFailure { return .error }
            return problem.status >= 500 ? .notice : .info
        }
    }

    /// The one table from errors to statuses. Domain errors are mapped here and nowhere else.
    static func problem(for error: any Error) -> MappedProblem {
        switch error {
        case let error as APIError:
            return MappedProblem(
                problem: make(error.status, detail: error.detail, issues: error.issues), headers: error.headers)
        case let rejection as SubmissionRejection:
            // Decoding failures are wrapped by the controller as 400; what reaches here passed
            // decoding and broke a rule of the format, which is 422.
            return MappedProblem(
                problem: make(
                    .unprocessableContent,
                    detail: "The submission is not valid: \(rejection.issues.first?.description ?? "invalid")"
                        + (rejection.issues.count > 1 ? " (and \(rejection.issues.count - 1) more)" : ""),
                    issues: rejection.issues))
        case let problem as ProblemDetails:
            return MappedProblem(problem: problem)
        case let error as StoreError:
            return storeProblem(error)
        case let error as DecodingError:
            let issue = FieldIssue(decodingError: error)
            return MappedProblem(
                problem: make(.badRequest, detail: "The body could not be decoded: \(issue)", issues: [issue]))
        case let error as HTTPError:
            return MappedProblem(
                problem: make(error.status, detail: error.body ?? defaultDetail(error.status)), headers: error.headers)
        case is NIOTooManyBytesError:
            return MappedProblem(problem: make(.contentTooLarge, detail: "The request body is too large"))
        case let error as any HTTPResponseError:
            return MappedProblem(problem: make(error.status, detail: defaultDetail(error.status)))
        default:
            return MappedProblem(
                problem: make(
                    .internalServerError,
                    detail: "The server failed to handle this request; report the X-Request-ID header to the operator"))
        }
    }

    private static func storeProblem(_ error: StoreError) -> MappedProblem {
        switch error {
        case .idConflict(let id):
            return MappedProblem(
                problem: make(
                    .conflict,
                    detail:
                        "A different submission with id \(id.uuidString.lowercased()) is already stored; a new run needs a new id",
                    issues: [FieldIssue(field: "id", reason: "is already used by a submission with different content")])
            )
        case .unknownMigrations:
            // Only possible at startup; if it ever surfaces in a request it is a server fault.
            return MappedProblem(
                problem: make(.internalServerError, detail: "The database schema is newer than this server"))
        }
    }

    /// A problem with the standard title for `status` (RFC 9457 `about:blank` semantics).
    static func make(_ status: HTTPResponse.Status, detail: String, issues: [FieldIssue] = []) -> ProblemDetails {
        ProblemDetails(
            title: status.reasonPhrase.isEmpty ? "HTTP \(status.code)" : status.reasonPhrase,
            status: status.code, detail: detail, errors: issues.isEmpty ? nil : issues)
    }

    /// Details for errors Hummingbird raises without a message.
    private static func defaultDetail(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "No resource at this path"
        case .contentTooLarge: "The request body is too large"
        case .methodNotAllowed: "This method is not supported at this path"
        default: status.reasonPhrase
        }
    }
}
