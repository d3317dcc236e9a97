import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// The machine curves: each machine key's summary (the machine page's best sizes), computed by
/// the caller from the key's ``CurveWindow``, which the store maintains itself at every ingest,
/// deletion and moderation.
public protocol CurveStore: Sendable {
    /// A machine's curves (one per interpreter version × workload × procs × `PYPY_GC_MIN`
    /// condition), combined across its submissions, with the best nursery and its interval.
    func machineCurves(machineID: String) async throws -> [MachineCurve]

    /// The windows of `machineID` (every machine's when nil) whose summary is missing or older
    /// than the window; at most `limit`.
    func staleCurveWindows(machineID: String?, limit: Int) async throws -> [CurveWindow]

    /// Stores the summary of `window`, unless a summary of a newer revision is stored already or
    /// the window is gone.
    func saveCurveSummary(_ summary: MachineCurveSummary, of window: CurveWindow) async throws
}

/// The reads and writes of the fitting side: the curves a refit reads, and the versioned
/// formulas.
public protocol FitStore: Sendable {
    /// Everything one refit of `scope` reads, from one snapshot (quarantined data left out).
    func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws -> FitSnapshot

    /// The same for the study-mode curves (`PYPY_GC_MIN` pinned), which no formula is fitted on.
    func gcMinPinnedSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws
        -> FitSnapshot

    /// Whether a refit of `scope` is due.
    func fitState(scope: FormulaScope) async throws -> FitState

    /// Stores a formula under the next version; returns the version.
    func insertFormula(_ formula: NewFormula) async throws -> Int

    /// The newest formula of `scope`, nil when none was fitted yet.
    func latestFormula(scope: FormulaScope) async throws -> StoredFormula?

    /// The newest version of `scope` without its report (cheap: for caches and ETags).
    func latestFormulaVersion(scope: FormulaScope) async throws -> Int?

    /// One formula by version.
    func formula(version: Int) async throws -> StoredFormula?

    /// The history, newest first; every scope when `scope` is nil.
    func formulaHistory(scope: FormulaScope?, limit: Int) async throws -> [FormulaSummary]
}

extension SQLiteResultStore: FitStore, CurveStore {}
