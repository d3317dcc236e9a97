import CrowdspeedCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Answers whose content is fixed by a formula version (and the request), with a strong `ETag`
/// and `Cache-Control: public, max-age=60`; a matching `If-None-Match` gets 304 and no body.
enum CachedAnswer {
    /// How long shared caches and clients may reuse an answer without asking again.
    static let cacheControl = "public, max-age=60"

    /// A strong entity tag for `parts` (FNV-1a over them), e.g. `"f3-1a2b3c4d5e6f7a8b"`.
    static func etag(version: Int, _ parts: [String]) -> String {
        var hash = FNV1a()
        hash.add(contentsOf: parts.joined(separator: "\u{1F}").utf8)
        return "\"f\(version)-\(hash.hex)\""
    }

    /// True when the request's `If-None-Match` lists `etag` (weak comparison, as RFC 9110
    /// requires for this header) or is `*`.
    static func matches(_ request: Request, etag: String) -> Bool {
        guard let header = request.headers[.ifNoneMatch] else { return false }
        let bare = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        for candidate in header.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag == bare { return true }
        }
        return false
    }

    /// 304, or 200 with `body` of `contentType`, both carrying the validators.
    static func respond(
        _ request: Request, etag: String, contentType: String, body: Data, cacheControl: String = cacheControl
    ) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = cacheControl
        if matches(request, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        headers[.contentLength] = String(body.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON form of `value` with the wire encoder.
    static func json(_ value: some Encodable) throws -> Data {
        try WireCoding.makeEncoder().encode(value)
    }
}
