import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStorePostgres
import CrowdspeedStoreTestSupport
import Foundation

/// Every capability a backend implements, as the read contracts use them.
typealias ContractStore = ResultStore & CurveStore & FitStore & DashboardStore & StorageStatisticsStore & ExportStore

/// Runs `body` with a fresh, migrated store of `backend`.
func withReadStore<R: Sendable>(_ backend: StoreBackend, _ body: (any ContractStore) async throws -> R) async throws
    -> R
{
    switch backend {
    case .sqlite: try await withSQLiteStore { try await body($0) }
    case .postgres: try await withPostgresStore { try await body($0) }
    }
}

/// The same submissions, stored the same way in any backend, for the read contracts: two
/// machines, agent and synthetic sources, a run with `PYPY_GC_MIN` pinned, fixed ids, times and
/// curves, so that what each read returns is known and comparable across backends.
enum ReadScenario {
    /// Fixed submission ids, in receipt order.
    static let ids = (0..<5).map { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", $0))! }

    /// One gcbench curve at `procs` with a missing cell; `shift` tells submissions apart.
    static func curve(procs: Int, shift: Double) -> WorkloadCurve {
        WorkloadCurve(
            benchmark: "gcbench", benchmarkVersion: "1", procs: procs,
            curve: Curve(
                nurseries: [1 << 20, 8 << 20, 32 << 20], roundIDs: [0, 1],
                roundRatios: [1.1 + shift, .nan, 0.9, 1.05, 0.8 - shift, 0.95], defaultNurseryBytes: 256 << 10))
    }

    /// The EPYC machine's id and the i7's.
    static var epyc: String { SubmissionFixture.epyc2Core.machineID }
    static var i7: String { SubmissionFixture.i7.machineID }

    /// Stores the scenario (receipts a minute apart, in this order):
    /// 0. EPYC, agent, curves at procs 1 and 2;
    /// 1. i7, agent, procs 1;
    /// 2. EPYC, synthetic, procs 1;
    /// 3. EPYC, agent, `PYPY_GC_MIN` pinned, procs 1;
    /// 4. i7, agent, procs 1 (CPython: a second interpreter, no curves).
    /// - Returns: the windows the ingests wrote, in order.
    @discardableResult
    static func store(into store: any ContractStore) async throws -> [CurveWindow] {
        var windows: [CurveWindow] = []
        for index in ids.indices {
            var fixture = SubmissionFixture(id: ids[index], seed: UInt64(100 + index))
            var curves = [curve(procs: 1, shift: 0.01 * Double(index))]
            switch index {
            case 0: curves.append(curve(procs: 2, shift: 0))
            case 1: fixture.machine = SubmissionFixture.i7
            case 2: fixture.source = .synthetic
            case 4:
                fixture.machine = SubmissionFixture.i7
                fixture.interpreter = InterpreterInfo(
                    implementation: "CPython", version: "3.12.7", languageVersion: "3.12.7", executable: "python3")
                curves = []
            default: break
            }
            var submission = fixture.build()
            if index == 3 { submission.run?.pypyGCMin = "64M" }
            let result = try await store.ingest(
                submission, receivedAt: receivedAt(index), credentials: nil, curves: curves)
            windows += result.curveWindows
        }
        return windows
    }

    /// Summarizes every window whose summary is behind, in key order (so that both backends
    /// insert the summaries in the same order), as the pipeline's summarizer does.
    static func summarizeAll(_ store: any ContractStore) async throws {
        let stale = try await store.staleCurveWindows(machineID: nil, limit: 1000).sorted {
            "\($0.key)" < "\($1.key)"
        }
        for window in stale { try await store.saveCurveSummary(summary(window), of: window) }
    }

    /// The summary the pipeline would compute for `window` (fixed seed).
    static func summary(_ window: CurveWindow) -> MachineCurveSummary {
        MachineCurveSummary.summarize(window.curve, submissionCount: window.submissionCount, seed: 1)
    }
}
