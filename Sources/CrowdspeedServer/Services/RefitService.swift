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

        /// Creates settings; by default a check every five minutes and at most once a second
        /// after new submissions, a refit after 20 submissions.
        public init(
            interval: Duration = .seconds(300), minimumNewSubmissions: Int = 20, debounce: Duration = .seconds(1)
        ) {
            self.interval = interval
            self.minimumNewSubmissions = minimumNewSubmissions
            self.debounce = debounce
        }
    }

    public let refitter: Refitter
    public let settings: Settings
    /// New submissions; the service also posts its interval ticks here, so one loop serves both.
    let signal: RefitSignal
    /// Where refit runs, their duration and the fitted machines are recorded.
    let metrics: ServerMetrics
    let logger: Logger

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - store: where curves are read and formulas written.
    ///   - scope: `.real` on a production server, `.synthetic` on a demo server.
    ///   - settings: when to refit.
    ///   - fitConfiguration: CrowdspeedFit's knobs.
    ///   - metrics: where each check's outcome and each fit's duration and machines are recorded.
    ///   - logger: where fits and failures are reported.
    public init(
        store: any FitStore, scope: FormulaScope, settings: Settings, signal: RefitSignal = RefitSignal(),
        fitConfiguration: FitConfiguration = FitConfiguration(), metrics: ServerMetrics = .disabled,
        logger: Logger
    ) {
        self.refitter = Refitter(store: store, scope: scope, configuration: fitConfiguration)
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
    @discardableResult
    public func runOnce(firstFitOnAnyData: Bool = true) async -> Refitter.Outcome? {
        let executor = FitThreadExecutor(name: "crowdspeed-refit")
        defer { executor.stop() }
        return await withTaskExecutorPreference(executor) { await check(firstFitOnAnyData: firstFitOnAnyData) }
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
