import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An HTML page as a response: UTF-8, revalidated on every visit (pages follow the data).
struct HTMLResponse: ResponseGenerator {
    var html: String
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]

    /// The page with its content type and length.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.contentLength] = String(html.utf8.count)
        if fields[.cacheControl] == nil { fields[.cacheControl] = "no-cache" }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
