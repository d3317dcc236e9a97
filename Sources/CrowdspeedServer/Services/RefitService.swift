import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Logging
import ServiceLifecycle

/// The background refit: a `Service` in the application's service group that checks whether
/// enough new submissions arrived since the last fit (or whether none was ever made and there is
/// data), and fits when so. It checks when the pipeline signals new submissions (at most once a
/// ``Settings/debounce``), and every ``Settings/interval`` in any case.
///
/// The check is one small read; the fit itself runs on the service's task, so requests are never
/// blocked on it. A failed fit is logged and retried at the next check: the previous formula
/// keeps being served meanwhile. Tests call ``runOnce()`` directly instead of waiting.
///
/// Several servers may share one database (PostgreSQL). A check that finds a fit due takes the
/// store's refit lease (``RefitLeaseStore``) for this process's ``holder``, checks again under
/// it, renews it while the fit runs and releases it after, so one server at a time fits; a
/// server that finds the lease held skips (the holder's fit covers the same data, and the
/// due-state is in the database). A server that dies holding it delays the others by
/// ``Settings/leaseDuration`` at most. Submissions prompt the check on the server that received
/// them, so any server refits.
public struct RefitService: Service {
    /// When to refit (part of the server's `Configuration`).
    public struct Settings: Sendable, Equatable {
        /// Time between checks.
        public var interval: Duration
        /// New submissions (with PyPy gcbench curves, in the scope) that make a refit due.
        public var minimumNewSubmissions: Int
        /// The least time between two checks prompted by new submissions: a burst of them costs
        /// one check of the counters a second, not one per submission.
        public var debounce: Duration
        /// How long a taken refit lease lasts without renewal; renewed every third of it while a
        /// fit runs, so it only bounds how long a dead holder keeps the others waiting.
        public var leaseDuration: Duration

        /// Creates settings; by default a check every five minutes and at most once a second
        /// after new submissions, a refit after 20 submissions, a one-minute lease.
        public init(
            interval: Duration = .seconds(300), minimumNewSubmissions: Int = 20, debounce: Duration = .seconds(1),
            leaseDuration: Duration = .seconds(60)
        ) {
            self.interval = interval
            self.minimumNewSubmissions = minimumNewSubmissions
            self.debounce = debounce
            self.leaseDuration = leaseDuration
        }
    }

    /// A new name in the refit lease: host, process id and a random part, so two services never
    /// share it, even two servers in one process or on one host after a pid is reused (a shared
    /// name would let both hold the lease at once: it is re-entrant for its holder).
    public static func uniqueHolder() -> String {
        let random = UUID().uuidString.prefix(8).lowercased()
        return "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(random)"
    }

    public let refitter: Refitter
    public let settings: Settings
    /// Where the refit lease is taken.
    let lease: any RefitLeaseStore
    /// Who takes it: a ``uniqueHolder()`` of this service's own unless a test names it.
    public let holder: String
    /// The lease's clock.
    let now: @Sendable () -> Date
    /// New submissions; the service also posts its interval ticks here, so one loop serves both.
    let signal: RefitSignal
    /// Where refit runs, their duration and the fitted machines are recorded.
    let metrics: ServerMetrics
    let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - fits: where curves are read and formulas written.
    ///   - lease: where the refit lease is taken (the same database as `fits`).
    ///   - holder: this server's name in the lease.
    ///   - scope: `.real` on a production server, `.synthetic` on a demo server.
    ///   - settings: when to refit.
    ///   - fitConfiguration: CrowdspeedFit's knobs.
    ///   - metrics: where each check's outcome and each fit's duration and machines are recorded.
    ///   - now: the lease's clock.
    ///   - logger: where fits and failures are reported.
    public init(
        fits: any FitStore, lease: any RefitLeaseStore, holder: String = RefitService.uniqueHolder(),
        scope: FormulaScope, settings: Settings, signal: RefitSignal = RefitSignal(),
        fitConfiguration: FitConfiguration = FitConfiguration(), metrics: ServerMetrics = .disabled,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.refitter = Refitter(store: fits, scope: scope, configuration: fitConfiguration)
        self.lease = lease
        self.holder = holder
        self.now = now
        self.settings = settings
        self.signal = signal
        self.metrics = metrics
        self.logger = logger
    }

    /// Checks at once (so a server started on existing data without a formula fits right away),
    /// then at every signal and interval tick until graceful shutdown. One loop runs the checks,
    /// so two fits never overlap.
    public func run() async throws {
        await runOnce()
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: settings.interval)
                            signal.notify(.interval)
                        }
                    }
                    for await notice in signal.notices {
                        await runOnce(firstFitOnAnyData: notice == .interval)
                        if notice == .submissions { try await Task.sleep(for: settings.debounce) }
                    }
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown cancels the sleep: that is this service's normal end, not a
            // failure (a service that throws would take the whole group down with an error).
        }
    }

    /// One check, and a fit when due. Never throws: a failure is logged and the next check retries.
    ///
    /// The check and the fit run on a thread of their own (``FitThreadExecutor``), not on the
    /// cooperative pool that serves requests: a 100k-machine fit computes for seconds without
    /// suspending.
    ///
    /// - Parameter firstFitOnAnyData: whether, without a formula yet, any data is enough (at
    ///   start-up and at interval ticks); a check prompted by new submissions waits for
    ///   ``Settings/minimumNewSubmissions`` of them, so the first formula does not rest on one
    ///   machine.
    /// - Returns: what the check did; nil when it failed or another server holds the lease.
    @discardableResult
    public func runOnce(firstFitOnAnyData: Bool = true) async -> Refitter.Outcome? {
        do {
            // Most checks find nothing due: they read one row and write nothing, lease included.
            if let notDue = try await refitter.notDue(
                minimumNewSubmissions: settings.minimumNewSubmissions, firstFitOnAnyData: firstFitOnAnyData)
            {
                metrics.refitRun(outcome: "not_due")
                return notDue
            }
            guard try await lease.acquireRefitLease(holder: holder, duration: settings.leaseDuration, now: now())
            else {
                metrics.refitRun(outcome: "leased_elsewhere")
                logger.debug("refit skipped: another server holds the refit lease")
                return nil
            }
        } catch {
            metrics.refitRun(outcome: "failed")
            logger.error("refit check failed", metadata: ["error": .string(String(reflecting: error))])
            return nil
        }
        // Checked again under the lease: the previous holder may have just fitted the same data.
        let outcome = await whileRenewingLease {
            let executor = FitThreadExecutor(name: "crowdspeed-refit")
            defer { executor.stop() }
            return await withTaskExecutorPreference(executor) { await check(firstFitOnAnyData: firstFitOnAnyData) }
        }
        do {
            try await lease.releaseRefitLease(holder: holder)
        } catch {
            // The lease then expires on its own; the next check (here or elsewhere) waits for that.
            logger.warning("refit lease not released", metadata: ["error": .string(String(reflecting: error))])
        }
        return outcome
    }

    /// Runs `body` while a child task renews the lease every third of its duration, so a fit
    /// longer than the lease keeps it. A lost lease (renewal refused) is logged; the fit in
    /// progress still completes and stores its version, which is harmless: versions are numbered
    /// by the database and every fit reads one consistent snapshot.
    private func whileRenewingLease(
        _ body: @escaping @Sendable () async -> Refitter.Outcome?
    ) async -> Refitter.Outcome? {
        await withTaskGroup(of: Refitter.Outcome??.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: settings.leaseDuration / 3)
                        if !(try await lease.renewRefitLease(
                            holder: holder, duration: settings.leaseDuration, now: now()))
                        {
                            logger.warning("refit lease lost to another server during a fit")
                        }
                    } catch is CancellationError {
                        break
                    } catch {
                        logger.warning(
                            "refit lease not renewed", metadata: ["error": .string(String(reflecting: error))])
                    }
                }
                return .none
            }
            group.addTask { .some(await body()) }
            var outcome: Refitter.Outcome?
            for await result in group {
                if case .some(let finished) = result {
                    outcome = finished
                    group.cancelAll()
                }
            }
            return outcome
        }
    }

    /// The body of ``runOnce(firstFitOnAnyData:)``.
    private func check(firstFitOnAnyData: Bool) async -> Refitter.Outcome? {
        do {
            let outcome = try await refitter.refitIfDue(
                minimumNewSubmissions: settings.minimumNewSubmissions, firstFitOnAnyData: firstFitOnAnyData)
            switch outcome {
            case .fitted(let formula):
                metrics.refitRun(outcome: "fitted")
                metrics.refitFitted(
                    milliseconds: formula.summary.fitMilliseconds, machines: formula.summary.metrics.machines,
                    version: formula.version)
            case .notDue: metrics.refitRun(outcome: "not_due")
            case .noData: metrics.refitRun(outcome: "no_data")
            }
            if case .fitted(let formula) = outcome {
                logger.info(
                    "refit",
                    metadata: [
                        "version": .stringConvertible(formula.version),
                        "scope": .string(formula.summary.scope.rawValue),
                        "formula": .string(formula.summary.metrics.globalName),
                        "machines": .stringConvertible(formula.summary.metrics.machines),
                        "held_out_regret": .string(
                            formula.summary.metrics.heldOutRegret.map { String(format: "%.4f", $0) } ?? "n/a"),
                        "fit_ms": .string(String(format: "%.1f", formula.summary.fitMilliseconds)),
                    ])
            }
            return outcome
        } catch {
            metrics.refitRun(outcome: "failed")
            logger.error("refit failed", metadata: ["error": .string(String(reflecting: error))])
            return nil
        }
    }
}
