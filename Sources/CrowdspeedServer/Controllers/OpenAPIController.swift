import CrowdspeedWeb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 document of every route, kept in `Web/static/openapi.json`
/// (one file the dashboard reads too). A test checks that it lists exactly the router's routes,
/// and schemathesis fuzzes the server from it (`scripts/fuzz`).
public struct OpenAPIController: Sendable {
    /// The document's bytes, read once at start-up.
    let document: ByteBuffer

    /// Where the document lives in the bundled web resources.
    public static var documentURL: URL { WebResources.staticFiles.appendingPathComponent("openapi.json") }

    /// Reads the bundled document. A missing resource (a packaging fault) leaves it empty, and
    /// the route then answers 503 rather than failing the whole server.
    public init() {
        document = ByteBuffer(bytes: (try? Data(contentsOf: Self.documentURL)) ?? Data())
    }

    /// The route, at the root.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("openapi.json", use: show)
        return routes
    }

    /// The document as `application/json`.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard document.readableBytes > 0 else {
            throw APIError(.serviceUnavailable, detail: "The OpenAPI document is missing from this build")
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(document.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
    }
}
