import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import CrowdspeedStorePostgres
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the whole server from its configuration: opens the database (SQLite, or PostgreSQL
/// through a connection pool that runs in the application's service group), applying pending
/// migrations before any request is served, builds the router and binds the address. Run it
/// with `runService()`, which shuts down gracefully on SIGTERM and SIGINT: the listener closes,
/// requests in flight complete, then the process exits.
///
/// - Parameters:
///   - configuration: the settings parsed by `crowdspeed serve`.
///   - onServerRunning: called with the bound port once the server listens (tests bind port 0
///     and learn the real port here).
/// - Throws: the store's errors when the database cannot be opened or migrated (for instance
///   `StoreError.unknownMigrations` on a file written by a newer server, or
///   `PostgresMigrationError.unknownMigrations` on a PostgreSQL database migrated by one), and
///   `NetworkOriginKeyError` when the origin key file is unusable.
public func buildApplication(
    configuration: Configuration,
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    var storeLogger = Logger(label: "crowdspeed.store")
    storeLogger.logLevel = configuration.logLevel

    let logger = {
        var logger = Logger(label: "crowdspeed")
        logger.logLevel = configuration.logLevel
        return logger
    }()
    // One registry per application (see ServerMetrics for why not the global bootstrap).
    let metrics: ServerMetrics = configuration.metrics == .off ? .disabled : .prometheus()
    let database = try await OpenedDatabase.open(
        configuration.database,
        sqlite: .init(
            durability: configuration.durable ? .durable : .normal, logger: storeLogger,
            batchObserver: { metrics.ingestBatch($0) }),
        logger: storeLogger
    ) { stores in
        let pipeline = Pipeline(stores: stores, limits: configuration.limits, logger: storeLogger)
        if configuration.demo {
            // A demo database is filled by the simulator once, before the first refit reads it.
            try await DemoSeeder().seedIfEmpty(pipeline: pipeline, logger: logger)
        }
        // Summaries a previous process stored the data for but did not get to write (it stopped
        // in between) are redone before requests are served.
        let repaired = try await pipeline.summarizer.summarizeStale()
        if repaired > 0 { logger.notice("curve summaries repaired", metadata: ["count": "\(repaired)"]) }
    }
    logger.info(
        "database ready",
        metadata: [
            "database": .string(configuration.database.description),
            "migrations": .string(database.migrations.joined(separator: ",")),
            "durable": .stringConvertible(configuration.durable),
        ])

    let stores = database.stores
    let signal = RefitSignal()
    let pipeline = Pipeline(stores: stores, limits: configuration.limits, refitSignal: signal, logger: storeLogger)

    let snapshots = configuration.snapshot.map { SnapshotShelf(directory: $0.directory) }
    // The secret that names network origins: made on the first start, reused ever after.
    let originKey = try NetworkOriginKey.loadOrCreate(path: configuration.originKeyPath)
    let router = buildRouter(
        pipeline: pipeline, configuration: configuration, metrics: metrics, snapshots: snapshots,
        originKey: originKey)
    // The background refit runs in the application's service group, beside the HTTP server.
    let refit = RefitService(
        fits: stores.fits, lease: stores.refitLease, scope: configuration.formulaScope, settings: configuration.refit,
        signal: signal, metrics: metrics, logger: logger)
    // The database's services (PostgreSQL's pool) first: the group shuts services down in
    // reverse order, so the pool outlives everything that queries it.
    var services: [any Service] = database.services + [refit]
    if let schedule = configuration.snapshot, let snapshots, let writer = database.snapshots {
        services.append(
            SnapshotPublisher(store: writer, shelf: snapshots, interval: schedule.interval, logger: logger))
    }
    if case .separate(let metricsHost, let metricsPort) = configuration.metrics,
        let controller = MetricsController(metrics: metrics, stores: stores, scope: configuration.formulaScope)
    {
        // A second listener with `/metrics` alone, in the same service group: it starts, and
        // shuts down gracefully, with the API listener.
        let metricsRouter = Router(context: AppRequestContext.self)
        metricsRouter.add(middleware: ProblemMiddleware())
        metricsRouter.addRoutes(controller.routes)
        services.append(
            Application(
                router: metricsRouter,
                configuration: .init(address: .hostname(metricsHost, port: metricsPort), serverName: "crowdspeed"),
                onServerRunning: { channel in
                    logger.info(
                        "metrics listening",
                        metadata: ["port": .stringConvertible(channel.localAddress?.port ?? metricsPort)])
                },
                logger: logger))
    }
    let host = configuration.host
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: "crowdspeed"),
        services: services,
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            // IPv6 literals need brackets in a URL.
            let shownHost = host.contains(":") ? "[\(host)]" : host
            logger.info("listening", metadata: ["url": .string("http://\(shownHost):\(port)")])
            await onServerRunning(port)
        },
        logger: logger)
}

/// Builds the router with every route and the middleware stack, over the pipeline's store
/// capabilities.
///
/// Middleware order, outermost first: security headers (on every response), request id (so
/// every response, refused ones included, carries `X-Request-ID`), request logging and metrics
/// (both see the final status), problem mapping (turns every error into `application/problem+json`), rate
/// limits (before any body is read), body-size limit.
///
/// - Parameters:
///   - pipeline: the writes, and the store capabilities every read uses; tests pass one over a
///     store on a temporary file.
///   - configuration: limits and log level.
///   - now: the receiving clock; tests fix it.
///   - rateClock: monotonic seconds for the rate limits' token buckets; tests step it.
///   - metrics: where requests, ingests and refusals are recorded; by default a fresh registry of
///     this router's own, exposed at `/metrics` when ``Configuration/metrics`` is `.main`.
///   - snapshots: the published snapshot's shelf, shared with the ``SnapshotPublisher``; by
///     default one over ``Configuration/snapshot``'s directory (offering what is already there).
///   - originKey: names submissions' network origins; the server passes the one kept at
///     ``Configuration/originKeyPath``, tests a fresh one by default (their origins need only
///     be consistent within the router's life).
public func buildRouter(
    pipeline: Pipeline,
    configuration: Configuration,
    now: @escaping @Sendable () -> Date = { Date() },
    rateClock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds,
    metrics: ServerMetrics? = nil,
    snapshots: SnapshotShelf? = nil,
    originKey: NetworkOriginKey = .random()
) -> Router<AppRequestContext> {
    let snapshots = snapshots ?? configuration.snapshot.map { SnapshotShelf(directory: $0.directory) }
    let metrics = metrics ?? (configuration.metrics == .off ? .disabled : .prometheus())
    let router = Router(context: AppRequestContext.self, options: [.autoGenerateHeadEndpoints])
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestLoggingMiddleware(level: .info))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware())
    let stores = pipeline.stores
    let formulas = FormulaCache(store: stores.fits, refreshInterval: configuration.formulaRefreshInterval)
    let center = SpeedCenter(store: stores.comparisons)
    router.addDashboard(
        stores: stores, formulas: formulas, configuration: configuration,
        assets: StaticAssetsController(chartJSPath: configuration.chartJSPath), snapshots: snapshots, center: center)
    router.addRoutes(ChangesFeedController(center: center, publicURL: configuration.publicURL).routes)
    router.addRoutes(
        AgentDownloadsController(directory: configuration.agentBuildsPath, publicURL: configuration.publicURL).routes)
    router.add(
        middleware: RateLimitMiddleware(
            perAddress: configuration.addressRateLimit.map { RateLimiter(limit: $0, clock: rateClock) },
            perInstall: configuration.installRateLimit.map { RateLimiter(limit: $0, clock: rateClock) },
            trustForwardedFor: configuration.trustForwardedFor, metrics: metrics))
    router.add(middleware: BodySizeLimitMiddleware(maxBytes: configuration.limits.maxBodyBytes))

    router.addRoutes(
        SubmissionsController(
            pipeline: pipeline, now: now, metrics: metrics, originKey: originKey,
            trustForwardedFor: configuration.trustForwardedFor
        ).routes,
        atPath: RouterPath(SubmissionsController.basePath))
    router.addRoutes(
        VerificationsController(
            pipeline: pipeline, now: now, originKey: originKey, trustForwardedFor: configuration.trustForwardedFor
        ).routes,
        atPath: RouterPath(VerificationsController.basePath))
    router.addRoutes(MachinesController(store: stores.results).routes, atPath: RouterPath(MachinesController.basePath))
    router.addRoutes(HealthController(store: stores.results).routes, atPath: "/healthz")
    router.addRoutes(
        ExportController(store: stores.exports, now: now).routes, atPath: RouterPath(ExportController.basePath))
    router.addFittingRoutes(stores: stores, cache: formulas, configuration: configuration)
    router.addRoutes(ComparisonsController(center: center).routes)
    router.addRoutes(
        AdminController(pipeline: pipeline, tokenHash: configuration.adminTokenHash, now: now).routes,
        atPath: RouterPath(AdminController.basePath))
    router.addRoutes(OpenAPIController().routes)
    if configuration.metrics == .main,
        let controller = MetricsController(metrics: metrics, stores: stores, scope: configuration.formulaScope)
    {
        router.addRoutes(controller.routes)
    }
    router.answerMethodNotAllowed()
    return router
}

extension Router where Context == AppRequestContext {
    /// The methods a path can be asked for that we answer with 405 rather than 404 when the path
    /// exists but does not support them.
    private static var answerableMethods: [HTTPRequest.Method] { [.get, .post, .put, .patch, .delete] }

    /// Registers, for every path that has routes, a 405 answer (with `Allow`) for the other
    /// common methods. Hummingbird answers 404 for a known path with an unknown method; a client
    /// that POSTs to a GET-only path deserves to learn the path is right and the method wrong.
    /// Call it after every real route is added, so `Allow` lists them all.
    func answerMethodNotAllowed() {
        var allowed: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes {
            allowed[route.path.description, default: (route.path, [])].methods.append(route.method)
        }
        for (path, methods) in allowed.values {
            // HEAD routes are generated from GET ones only when the responder is built, after this.
            let allow = (methods.contains(.get) && !methods.contains(.head) ? methods + [.head] : methods)
                .sorted { $0.rawValue < $1.rawValue }
            for method in Self.answerableMethods where !methods.contains(method) {
                on(path, method: method) { request, _ -> HTTPResponse.Status in
                    throw APIError.methodNotAllowed(request.method, allowed: allow)
                }
            }
        }
    }
}
