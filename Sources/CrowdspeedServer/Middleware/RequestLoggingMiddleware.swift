import Foundation
import Hummingbird
import Logging
import NIOCore

/// Writes one structured log line per request when it completes: method, path, status and
/// duration, with the request id already in the logger's metadata. It sits inside
/// ``RequestIDMiddleware`` and outside ``ProblemMiddleware``, so it sees the final status of
/// every request, refused ones included.
public struct RequestLoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The level of the per-request line; failures (unexpected 5xx) are also logged at error by
    /// ``ProblemMiddleware``, with the error.
    let level: Logger.Level

    /// Creates the middleware logging at `level`.
    public init(level: Logger.Level = .info) {
        self.level = level
    }

    /// Times the request and logs its outcome.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            // Only reached if an error escapes the problem mapping (it should not); Hummingbird
            // then answers 500.
            log(request, context: context, status: 500, since: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.log(
            level: level, "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", milliseconds)),
            ])
    }
}
