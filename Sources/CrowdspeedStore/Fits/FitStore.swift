import CrowdspeedCore
import Foundation

/// The reads and writes of the fitting side: the machine curves maintained at ingest, the
/// curves a refit reads, and the versioned formulas.
///
/// Kept beside ``ResultStore`` rather than inside it (as `DashboardStore` is), so that fitting
/// can grow without every store double in the tests having to; ``SQLiteResultStore``
/// implements all of them. The curves themselves are written by ``ResultStore``'s ingest, with
/// the submission, from the ``IngestAggregates`` the server derives.
public protocol FitStore: Sendable {
    /// A machine's curves (one per interpreter version × workload × procs × `PYPY_GC_MIN`
    /// condition), combined across its submissions, with the best nursery and its interval.
    func machineCurves(machineID: String) async throws -> [MachineCurve]

    /// Rewrites a machine's curve summaries from the curves that remain: call it after a
    /// deletion (curves go with their submission by `ON DELETE CASCADE`; the summaries need the
    /// server's statistics to be recomputed).
    func refreshMachineCurves(machineID: String, summarizer: any CurveSummarizer, at: Date) async throws

    /// Everything one refit of `scope` reads, from one snapshot (quarantined data left out).
    func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws -> FitSnapshot

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

extension SQLiteResultStore: FitStore {}
