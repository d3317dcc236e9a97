import CrowdspeedCore
import CrowdspeedWeb
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /static/{file}` (the dashboard's own CSS and JS modules, from the `CrowdspeedWeb` bundle)
/// and `GET /vendor/chart.js` (Chart.js from the configured path, typically Debian's
/// `libjs-chart.js`; never copied into the repository).
///
/// Every file is read once at startup: they are small, a request never touches the disk, and
/// no request path is ever turned into a file path. Responses carry an ETag and are revalidated
/// (`no-cache`), so a deployment shows new assets at once and unchanged ones cost a 304.
public struct StaticAssetsController: Sendable {
    /// One file ready to serve.
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
    }

    /// `/static/` files by name.
    let assets: [String: Asset]
    /// Chart.js, nil when the configured file could not be read.
    let chartJS: Asset?

    /// Loads the bundled static files and Chart.js.
    ///
    /// - Parameters:
    ///   - staticDirectory: the folder of CSS/JS (the bundle's by default).
    ///   - chartJSPath: Chart.js's UMD build; a missing or unreadable file leaves charts off.
    public init(staticDirectory: URL = WebResources.staticFiles, chartJSPath: String) {
        var assets: [String: Asset] = [:]
        let files =
            (try? FileManager.default.contentsOfDirectory(at: staticDirectory, includingPropertiesForKeys: nil)) ?? []
        for file in files where !file.lastPathComponent.hasPrefix(".") {
            guard let type = Self.contentType(file.pathExtension), let data = try? Data(contentsOf: file) else {
                continue
            }
            assets[file.lastPathComponent] = Self.asset(data, type)
        }
        self.assets = assets
        self.chartJS = (try? Data(contentsOf: URL(fileURLWithPath: chartJSPath))).map {
            Self.asset($0, "text/javascript; charset=utf-8")
        }
    }

    /// Whether Chart.js is available to the pages.
    public var chartsAvailable: Bool { chartJS != nil }

    /// The routes: `/static/{file}` and `/vendor/chart.js`.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("static/:file") { request, context in
            let name = context.parameters.get("file") ?? ""
            guard let asset = assets[name] else { throw HTTPError(.notFound) }
            return Self.response(asset, request: request)
        }
        routes.get("vendor/chart.js") { request, _ in
            guard let chartJS else { throw HTTPError(.notFound, message: "Chart.js is not installed on this server") }
            return Self.response(chartJS, request: request)
        }
        return routes
    }

    /// 200 with the asset, or 304 when the client's `If-None-Match` already names it.
    static func response(_ asset: Asset, request: Request) -> Response {
        var headers: HTTPFields = [.eTag: asset.etag, .cacheControl: "no-cache"]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                $0.trimmingCharacters(in: .whitespaces) == asset.etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    /// The content type of a served extension; other files in the folder are not served.
    static func contentType(_ pathExtension: String) -> String? {
        switch pathExtension {
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        default: nil
        }
    }

    /// An asset with an ETag from a 64-bit FNV-1a of its bytes (identity, not security).
    private static func asset(_ data: Data, _ contentType: String) -> Asset {
        Asset(
            body: ByteBuffer(bytes: data), contentType: contentType,
            etag: "\"\(String(FNV1a.hash64(data), radix: 16))\"")
    }
}
