import CrowdspeedCore
import Foundation

/// The headline numbers of a formula, kept in columns so lists and histories need no JSON.
public struct FormulaMetrics: Sendable, Equatable {
    /// `k_l3_per_procs`, `pypy_default`, …
    public var globalName: String
    /// The formula in words, e.g. `nursery = 0.5 × L3 / procs, …`.
    public var globalText: String
    /// Mean leave-one-CPU-model-out regret of the served global formula; nil when undefined.
    public var heldOutRegret: Double?
    /// The same for PyPy's own rule and for the best single constant.
    public var pypyDefaultRegret: Double?
    public var bestConstantRegret: Double?
    /// What measurement noise alone costs (choose on odd rounds, score on even).
    public var noiseFloor: Double?
    /// Mean held-out gain of the global formula over PyPy's default.
    public var gainOverDefault: Double?
    public var machines: Int
    public var curves: Int
    public var cpuModels: Int

    /// Creates metrics.
    public init(
        globalName: String, globalText: String, heldOutRegret: Double?, pypyDefaultRegret: Double?,
        bestConstantRegret: Double?,
        noiseFloor: Double?, gainOverDefault: Double?, machines: Int, curves: Int, cpuModels: Int
    ) {
        self.globalName = globalName
        self.globalText = globalText
        self.heldOutRegret = heldOutRegret
        self.pypyDefaultRegret = pypyDefaultRegret
        self.bestConstantRegret = bestConstantRegret
        self.noiseFloor = noiseFloor
        self.gainOverDefault = gainOverDefault
        self.machines = machines
        self.curves = curves
        self.cpuModels = cpuModels
    }

}

/// A formula about to be stored (the version is assigned by the store).
public struct NewFormula: Sendable, Equatable {
    public var scope: FormulaScope
    public var createdAt: Date
    /// The scope's submission counter at the time the fit read its input (see ``FitSnapshot``).
    public var inputSubmissions: Int
    public var metrics: FormulaMetrics
    public var fitMilliseconds: Double
    /// The fit's full report (CrowdspeedFit `FitReport`) as JSON; opaque to the store.
    public var reportJSON: String
    /// The server's prediction intervals per served formula, as JSON; opaque to the store.
    public var intervalsJSON: String

    /// Creates a formula record.
    public init(
        scope: FormulaScope, createdAt: Date, inputSubmissions: Int, metrics: FormulaMetrics, fitMilliseconds: Double,
        reportJSON: String, intervalsJSON: String
    ) {
        self.scope = scope
        self.createdAt = createdAt
        self.inputSubmissions = inputSubmissions
        self.metrics = metrics
        self.fitMilliseconds = fitMilliseconds
        self.reportJSON = reportJSON
        self.intervalsJSON = intervalsJSON
    }
}

/// One entry of the formula history (public read model: the dashboard's formula pages list these).
public struct FormulaSummary: Sendable, Equatable {
    /// Increasing across scopes; the newest version of a scope is the one served.
    public var version: Int
    public var createdAt: Date
    public var scope: FormulaScope
    /// Submission sources the fit read, e.g. `agent,import`.
    public var sources: String
    public var inputSubmissions: Int
    public var metrics: FormulaMetrics
    public var fitMilliseconds: Double

    /// Creates a summary.
    public init(
        version: Int, createdAt: Date, scope: FormulaScope, sources: String, inputSubmissions: Int,
        metrics: FormulaMetrics,
        fitMilliseconds: Double
    ) {
        self.version = version
        self.createdAt = createdAt
        self.scope = scope
        self.sources = sources
        self.inputSubmissions = inputSubmissions
        self.metrics = metrics
        self.fitMilliseconds = fitMilliseconds
    }

}

/// A stored formula with its full report (JSON the server decodes).
public struct StoredFormula: Sendable, Equatable {
    public var summary: FormulaSummary
    public var reportJSON: String
    public var intervalsJSON: String

    /// Creates a stored formula.
    public init(summary: FormulaSummary, reportJSON: String, intervalsJSON: String) {
        self.summary = summary
        self.reportJSON = reportJSON
        self.intervalsJSON = intervalsJSON
    }
}

/// Everything one refit reads, from one consistent snapshot of the database.
public struct FitSnapshot: Sendable {
    /// The scope's curves (PyPy gcbench, `PYPY_GC_MIN` not pinned, admitted sources).
    public var curves: [StoredCurve]
    /// The scope's submission counter at the time of the read.
    public var submissions: Int
    /// The provenance (install, hardware class) of the submissions whose curves are in
    /// ``curves``, in receipt order: what the fit's weights are computed from.
    public var provenance: [SubmissionProvenance]

    /// Creates a snapshot.
    public init(curves: [StoredCurve], submissions: Int, provenance: [SubmissionProvenance] = []) {
        self.curves = curves
        self.submissions = submissions
        self.provenance = provenance
    }
}

/// Whether a refit is due: how many usable submissions arrived since the newest formula.
public struct FitState: Sendable, Equatable {
    /// Submissions with curves ever received in the scope.
    public var submissions: Int
    /// The newest formula of the scope, nil when none was fitted.
    public var latestVersion: Int?
    /// Submissions received since that formula read its input (all of them when there is none).
    public var pending: Int

    /// Creates a state.
    public init(submissions: Int, latestVersion: Int?, pending: Int) {
        self.submissions = submissions
        self.latestVersion = latestVersion
        self.pending = pending
    }
}
