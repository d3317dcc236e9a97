import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Runs one refit: reads the scope's stored curves, fits with CrowdspeedFit, computes the
/// prediction intervals and stores the result as the next formula version. Used by the
/// background ``RefitService``, by `crowdspeed refit` and by tests.
public struct Refitter: Sendable {
    /// What a refit call did.
    public enum Outcome: Sendable, Equatable {
        /// A new formula version was stored.
        case fitted(FittedFormula)
        /// Not enough new submissions since the last fit.
        case notDue(pending: Int)
        /// The scope has no usable curve (nothing to fit; nothing stored).
        case noData
    }

    public let store: any FitStore
    public let scope: FormulaScope
    public let configuration: FitConfiguration
    let now: @Sendable () -> Date

    /// Creates a refitter.
    ///
    /// - Parameters:
    ///   - store: where curves are read and formulas written.
    ///   - scope: `.real` (agent and import data only) or `.synthetic` (demo servers).
    ///   - configuration: CrowdspeedFit's knobs.
    ///   - now: the clock recorded as `created_at`.
    public init(
        store: any FitStore, scope: FormulaScope, configuration: FitConfiguration = FitConfiguration(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.scope = scope
        self.configuration = configuration
        self.now = now
    }

    /// Fits when at least `minimumNewSubmissions` submissions with curves arrived since the
    /// last fit, or, with `firstFitOnAnyData`, when no formula exists yet and there is data (a
    /// server started on a database without a formula fits at once).
    public func refitIfDue(minimumNewSubmissions: Int, firstFitOnAnyData: Bool = true) async throws -> Outcome {
        if let notDue = try await notDue(
            minimumNewSubmissions: minimumNewSubmissions, firstFitOnAnyData: firstFitOnAnyData)
        {
            return notDue
        }
        return try await refit()
    }

    /// The check of ``refitIfDue(minimumNewSubmissions:firstFitOnAnyData:)`` alone (one small
    /// read): `.notDue` when no fit is due, nil when one is.
    public func notDue(minimumNewSubmissions: Int, firstFitOnAnyData: Bool = true) async throws -> Outcome? {
        let state = try await store.fitState(scope: scope)
        let threshold = state.latestVersion == nil && firstFitOnAnyData ? 1 : max(1, minimumNewSubmissions)
        return state.pending < threshold ? .notDue(pending: state.pending) : nil
    }

    /// Fits now, whatever the counters say.
    public func refit() async throws -> Outcome {
        let snapshot = try await store.fitSnapshot(
            scope: scope, benchmark: BenchmarkName.gcbench, implementation: "PyPy")
        let inputSubmissions = snapshot.submissions
        // Consumed: the snapshot's curves are released as the fit input is built.
        let input = FitInputBuilder.input(from: consume snapshot)
        guard !input.curves.isEmpty else { return .noData }
        let clock = ContinuousClock()
        let started = clock.now
        var report = FormulaSelection.fit(input, configuration: configuration)
        let intervals = PredictionInterval.intervals(for: report, on: input)
        let elapsed = started.duration(to: clock.now)
        guard report.evidence.curves > 0 else { return .noData }
        // The study-mode curves are few (an opt-in mode); comparing them costs a small read.
        let pinned = FitInputBuilder.input(
            from: try await store.gcMinPinnedSnapshot(
                scope: scope, benchmark: BenchmarkName.gcbench, implementation: "PyPy"))
        report.gcMinStudy = GCMinStudy.compare(pinned: pinned.curves, ordinary: input.curves)

        let encoder = FittedFormula.encoder()
        let metrics = Self.metrics(report)
        let version = try await store.insertFormula(
            NewFormula(
                scope: scope, createdAt: now(), inputSubmissions: inputSubmissions, metrics: metrics,
                fitMilliseconds: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds)
                    / 1e15,
                reportJSON: String(decoding: try encoder.encode(report), as: UTF8.self),
                intervalsJSON: String(decoding: try encoder.encode(intervals), as: UTF8.self)))
        guard let stored = try await store.formula(version: version) else { return .noData }
        return .fitted(try FittedFormula(stored: stored))
    }

    /// The headline numbers stored in columns.
    static func metrics(_ report: FitReport) -> FormulaMetrics {
        let pypy = report.baselines.first { $0.name == FormulaFamily.pypyDefault.rawValue }
        let bestConstant = report.baselines.first { $0.name == "best_constant" }
        return FormulaMetrics(
            globalName: report.global.name, globalText: report.global.formula.description,
            heldOutRegret: report.global.heldOutRegret.mean.finiteValue,
            pypyDefaultRegret: pypy?.heldOutRegret.mean.finiteValue,
            bestConstantRegret: bestConstant?.heldOutRegret.mean.finiteValue,
            noiseFloor: report.noiseFloor?.finiteValue,
            gainOverDefault: report.global.gainOverDefault.mean.finiteValue, machines: report.evidence.machines,
            curves: report.evidence.curves, cpuModels: report.evidence.cpuModels)
    }
}
