import HTTPTypes
import Hummingbird
import NIOCore

/// Refuses a request whose declared `Content-Length` exceeds the limit before any of its body is
/// read, for every route. Hummingbird has no server-wide body limit, so this is the server-level
/// guard; routes that read bodies also collect them with the same bound, which covers chunked
/// uploads that declare no length.
public struct BodySizeLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// The largest accepted body in bytes.
    let maxBytes: Int

    /// Creates the middleware with a limit in bytes.
    public init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Throws 413 for a declared length above the limit; otherwise passes the request on with the
    /// limit recorded in the context.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maxBytes {
            throw APIError.contentTooLarge(limit: maxBytes)
        }
        // Hummingbird's own decoders read this bound from the context.
        var context = context
        context.maxUploadSize = maxBytes
        return try await next(request, context)
    }
}
