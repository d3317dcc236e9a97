import CrowdspeedCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A JSON response encoded with the shared wire configuration (`WireCoding`), so dates and
/// numbers in responses are written exactly as agents write them in submissions.
struct JSONResponse<Value: Encodable>: ResponseGenerator {
    var value: Value
    var status: HTTPResponse.Status = .ok
    var headers: HTTPFields = [:]

    /// Encodes `value` as the response body.
    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try WireCoding.makeEncoder().encode(value)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.contentLength] = String(data.count)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
