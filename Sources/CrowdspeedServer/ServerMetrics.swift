import CoreMetrics
import CrowdspeedStore
import Prometheus

/// Every metric the server records, named in one place (all prefixed `crowdspeed_`; the list and
/// their meaning are in the README).
///
/// The metrics are recorded through the swift-metrics API with an explicit `MetricsFactory`
/// rather than the process-wide `MetricsSystem.bootstrap`: bootstrapping is once per process, and
/// the tests build many applications in one process, each of which must count only its own
/// requests. So each application creates a fresh `PrometheusCollectorRegistry`, wraps it in a
/// `PrometheusMetricsFactory`, and this value carries both down to the middleware, controllers
/// and services that record. With metrics turned off the factory is swift-metrics' no-op one and
/// there is no registry to expose.
///
/// Labels only ever take values from small fixed sets (route templates, status classes, refusal
/// reasons), never from request data, so the number of series stays bounded.
public struct ServerMetrics: Sendable {
    /// The registry `/metrics` exposes; nil when metrics are off.
    public let registry: PrometheusCollectorRegistry?
    /// Where every metric handler comes from.
    let factory: any MetricsFactory

    /// Metrics recorded into a fresh registry of their own.
    public static func prometheus() -> ServerMetrics {
        let registry = PrometheusCollectorRegistry()
        return ServerMetrics(registry: registry, factory: PrometheusMetricsFactory(registry: registry))
    }

    /// Metrics that are recorded nowhere (`--metrics off`).
    public static var disabled: ServerMetrics { ServerMetrics(registry: nil, factory: NOOPMetricsHandler.instance) }

    private init(registry: PrometheusCollectorRegistry?, factory: any MetricsFactory) {
        self.registry = registry
        self.factory = factory
    }

    /// The metric names, so tests and documentation refer to the same strings as the code.
    public enum Name {
        public static let httpRequests = "crowdspeed_http_requests_total"
        public static let httpRequestDuration = "crowdspeed_http_request_duration_seconds"
        public static let submissionsIngested = "crowdspeed_submissions_ingested_total"
        public static let submissionsRefused = "crowdspeed_submissions_refused_total"
        public static let ingestDuration = "crowdspeed_ingest_duration_seconds"
        public static let ingestSamples = "crowdspeed_ingest_samples"
        public static let ingestBatchSize = "crowdspeed_ingest_batch_submissions"
        public static let ingestWriterDuration = "crowdspeed_ingest_writer_seconds"
        public static let rateLimited = "crowdspeed_rate_limit_rejections_total"
        public static let refitRuns = "crowdspeed_refit_runs_total"
        public static let refitDuration = "crowdspeed_refit_duration_seconds"
        public static let refitMachines = "crowdspeed_refit_machines"
        public static let formulaVersion = "crowdspeed_formula_version"
        public static let databaseBytes = "crowdspeed_database_bytes"
    }

    // MARK: HTTP

    /// One completed request: counted by route template, method and status class, and timed.
    ///
    /// - Parameters:
    ///   - route: Hummingbird's matched route path (`/api/v1/machines/{id}`), or `unmatched`.
    ///   - method: the request method.
    ///   - status: the final status code.
    ///   - nanoseconds: time from the request reaching the router to its response being built.
    func request(route: String, method: String, status: Int, nanoseconds: Int64) {
        let dimensions = [("route", route), ("method", method), ("status", Self.statusClass(status))]
        CoreMetrics.Counter(label: Name.httpRequests, dimensions: dimensions, factory: factory).increment()
        CoreMetrics.Timer(label: Name.httpRequestDuration, dimensions: dimensions, factory: factory).recordNanoseconds(
            nanoseconds)
    }

    /// `2xx`, `4xx`, …: the status label, bounded whatever the code.
    static func statusClass(_ status: Int) -> String {
        (100...599).contains(status) ? "\(status / 100)xx" : "other"
    }

    // MARK: Ingest

    /// A submission stored (`created`) or recognised as a harmless repeat (`duplicate`).
    func submissionIngested(duplicate: Bool) {
        Counter(
            label: Name.submissionsIngested, dimensions: [("outcome", duplicate ? "duplicate" : "created")],
            factory: factory
        ).increment()
    }

    /// A submission refused, by the reason its status stands for.
    func submissionRefused(status: Int) {
        CoreMetrics.Counter(
            label: Name.submissionsRefused, dimensions: [("reason", Self.refusalReason(status))], factory: factory
        )
        .increment()
    }

    /// The refusal reasons the ingest route can give, named after what the status means there.
    static func refusalReason(_ status: Int) -> String {
        switch status {
        case 400: "malformed"
        case 409: "id_conflict"
        case 413: "too_large"
        case 415: "unsupported_media_type"
        case 422: "invalid"
        case 429: "rate_limited"
        case 500...599: "server_error"
        default: "other"
        }
    }

    /// The time the pipeline took for one accepted submission (validation, curve derivation, the
    /// store's group commit including the wait for the writer, and the curve summaries), and
    /// how many samples it held.
    func ingest(nanoseconds: Int64, samples: Int) {
        CoreMetrics.Timer(label: Name.ingestDuration, factory: factory).recordNanoseconds(nanoseconds)
        CoreMetrics.Recorder(label: Name.ingestSamples, factory: factory).record(samples)
    }

    /// One committed ingest transaction (group commit): how many submissions it held and how
    /// long it held the database's single writer. Writer time near 1 s per second means the
    /// writer is the bottleneck; batch sizes above 1 mean group commit is absorbing load.
    func ingestBatch(_ report: IngestBatchReport) {
        CoreMetrics.Recorder(label: Name.ingestBatchSize, factory: factory).record(report.submissions)
        CoreMetrics.Timer(label: Name.ingestWriterDuration, factory: factory).recordNanoseconds(
            report.writerNanoseconds)
    }

    /// A write refused by a rate limit (`address` or `install`).
    func rateLimited(scope: String) {
        CoreMetrics.Counter(label: Name.rateLimited, dimensions: [("scope", scope)], factory: factory).increment()
    }

    // MARK: Refit

    /// One refit check: `fitted`, `not_due`, `no_data`, `failed`, or `leased_elsewhere` (another server
    /// held the refit lease, so this one did not check).
    func refitRun(outcome: String) {
        CoreMetrics.Counter(label: Name.refitRuns, dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// A fit that stored a formula: how long the fit computed and over how many machines.
    func refitFitted(milliseconds: Double, machines: Int, version: Int) {
        CoreMetrics.Timer(label: Name.refitDuration, factory: factory).recordNanoseconds(
            Int64(milliseconds * 1_000_000))
        CoreMetrics.Gauge(label: Name.refitMachines, factory: factory).record(machines)
        CoreMetrics.Gauge(label: Name.formulaVersion, factory: factory).record(version)
    }

    // MARK: Read at scrape time

    /// The database's size on disk at this moment, per file (`main`, `wal`).
    func databaseBytes(file: String, bytes: Int64) {
        CoreMetrics.Gauge(label: Name.databaseBytes, dimensions: [("file", file)], factory: factory).record(bytes)
    }

    /// The current formula version of the served scope (0 before the first fit).
    func formulaVersion(_ version: Int) {
        CoreMetrics.Gauge(label: Name.formulaVersion, factory: factory).record(version)
    }
}
