import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Counts and times every request by its route template and status class, and counts the
/// ingest route's outcomes (ingested, or refused by reason).
///
/// It sits outside ``ProblemMiddleware``, so errors have already become their final responses
/// and it sees the status the client gets. The route label is Hummingbird's matched route path
/// (`/api/v1/submissions/{id}`), never the raw path: a scanner probing random URLs adds one
/// `unmatched` series, not one per URL.
///
/// Submission refusals are counted here rather than in the ingest controller because they are
/// decided at several layers (the rate limit and the body-size limit before the controller, the
/// decoder and the store inside it); the final status is the one place they all meet.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let metrics: ServerMetrics

    /// Creates the middleware recording into `metrics`.
    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    /// Records the request once its response is built.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = DispatchTime.now().uptimeNanoseconds
        let status: Int
        do {
            let response = try await next(request, context)
            status = response.status.code
            record(request, context: context, status: status, start: start)
            return response
        } catch {
            // Only reached if an error escapes the problem mapping; Hummingbird then answers
            // with the error's status, or 500.
            status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, context: context, status: status, start: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, start: UInt64) {
        let elapsed = DispatchTime.now().uptimeNanoseconds &- start
        let route = Self.routeLabel(context.endpointPath)
        metrics.request(
            route: route, method: request.method.rawValue, status: status, nanoseconds: Int64(clamping: elapsed))
        if route == SubmissionsController.basePath, request.method == .post {
            switch status {
            case 201: metrics.submissionIngested(duplicate: false)
            case 200: metrics.submissionIngested(duplicate: true)
            default: metrics.submissionRefused(status: status)
            }
        }
    }

    /// The route label: the matched template, or `unmatched` for a request no route took.
    static func routeLabel(_ endpointPath: String?) -> String {
        guard let endpointPath, endpointPath != "NotFound" else { return "unmatched" }
        return endpointPath
    }
}
