import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Hummingbird

/// `/api/v1/submissions`: ingestion of agent runs and reading them back with their raw samples.
///
/// Dependencies come in through `init` — the pipeline (with the store and the limits) and the
/// clock — so tests run the same controller against a temporary database with a fixed time.
public struct SubmissionsController: Sendable {
    /// Where submissions are stored (through the pipeline) and read.
    let pipeline: Pipeline
    /// Bounds enforced on every submission, including the body size.
    var limits: SubmissionLimits { pipeline.limits }
    /// Reads of stored submissions.
    var store: any ResultStore { pipeline.stores.results }
    /// The receiving clock: `received_at`, and the reference for refusing far-future dates.
    let now: @Sendable () -> Date
    /// Where the ingest time is recorded.
    let metrics: ServerMetrics
    /// Names each submission's network origin (a keyed hash of its address block).
    let originKey: NetworkOriginKey
    /// Whether the client's address is the trusted proxy's last `X-Forwarded-For` entry.
    let trustForwardedFor: Bool

    /// The path the collection is mounted at; links in responses are built from it.
    public static let basePath = "/api/v1/submissions"

    /// Creates the controller; the origin key and proxy trust decide each submission's stored origin.
    public init(
        pipeline: Pipeline, now: @escaping @Sendable () -> Date, metrics: ServerMetrics = .disabled,
        originKey: NetworkOriginKey, trustForwardedFor: Bool
    ) {
        self.pipeline = pipeline
        self.now = now
        self.metrics = metrics
        self.originKey = originKey
        self.trustForwardedFor = trustForwardedFor
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post(use: ingest)
        routes.get(":id", use: show)
        routes.delete(":id", use: delete)
        return routes
    }

    /// The canonical link to one submission.
    static func link(_ id: UUID) -> String {
        "\(basePath)/\(id.uuidString.lowercased())"
    }
}
