import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request one id — the client's `X-Request-ID` when it is a sane token, otherwise a
/// fresh one — puts it in the request's logger metadata and echoes it on the response, so a
/// volunteer's error report and the server log can be matched line for line.
///
/// It runs outermost, so the header is present on every response, problems included.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// The header carrying the id both ways.
    public static let header = HTTPField.Name("X-Request-ID")!

    /// Creates the middleware.
    public init() {}

    /// Assigns the id, runs the request, and stamps the id on the response.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let id = request.headers[Self.header].flatMap(Self.acceptable) ?? Self.makeID()
        context.requestID = id
        // Replace Hummingbird's own id so that every line of this request, including those the
        // framework writes, carries the id the client sees.
        context.logger[metadataKey: "hb.request.id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    /// A client-supplied id is used only when it is short and made of token characters: it ends
    /// up in log lines and a response header, where anything else could forge or break them.
    static func acceptable(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count),
            value.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x3A
            })
        else { return nil }
        return value
    }

    /// A fresh random id.
    static func makeID() -> String {
        UUID().uuidString.lowercased()
    }
}
