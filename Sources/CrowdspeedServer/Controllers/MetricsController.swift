import CrowdspeedCore
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// `GET /metrics`: the application's metrics in the Prometheus text exposition format (0.0.4).
///
/// The gauges that describe state rather than events — the database's size, the current formula
/// version — are read from the store on each scrape, so they are exact at scrape time and cost
/// nothing between scrapes. A failed read leaves the last value and is logged; the scrape still
/// answers, since the counters are worth having even when the database is in trouble (and
/// `/healthz` reports that).
public struct MetricsController: Sendable {
    /// The registry emitted and the handles the scrape-time gauges are set through.
    let metrics: ServerMetrics
    let registry: PrometheusCollectorRegistry
    let stores: StoreCapabilities
    /// The formula scope the server serves (its version is the one reported).
    let scope: FormulaScope

    /// The content type Prometheus expects for the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Creates the controller; nil when `metrics` records nowhere (metrics off).
    public init?(metrics: ServerMetrics, stores: StoreCapabilities, scope: FormulaScope) {
        guard let registry = metrics.registry else { return nil }
        self.metrics = metrics
        self.registry = registry
        self.stores = stores
        self.scope = scope
    }

    /// The route, at `/metrics`.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("metrics", use: scrape)
        return routes
    }

    /// Refreshes the scrape-time gauges and emits every metric.
    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            for (file, bytes) in try await stores.storage.storageBytes().sorted(by: { $0.key < $1.key }) {
                metrics.databaseBytes(file: file, bytes: bytes)
            }
            metrics.formulaVersion(try await stores.fits.latestFormulaVersion(scope: scope) ?? 0)
        } catch {
            context.logger.warning("metrics: store read failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        let bytes = registry.emitToBuffer()
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        headers[.contentLength] = String(bytes.count)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
