import CrowdspeedCore
import Foundation

/// One curve of a submission, derived by the server at ingest: per round, the CPU time at each
/// nursery setting divided by the same round's default-setting time (CrowdspeedFit's `Curve` in
/// its stored form). The store keeps it as plain data; it never computes statistics itself.
public struct CurveAggregate: Sendable, Equatable {
    /// `gcbench`.
    public var benchmark: String
    public var benchmarkVersion: String
    /// Concurrent processes (results without `procs` count as 1).
    public var procs: Int
    /// Measured settings in bytes, ascending; the default setting is not among them.
    public var nurseries: [Int64]
    /// One per row of ``roundRatios``.
    public var roundIDs: [Int]
    /// `roundIDs.count × nurseries.count` ratios, row-major; NaN where missing.
    public var roundRatios: [Double]
    /// The size PyPy's own rule picks on this machine, when known.
    public var defaultNurseryBytes: Int64?

    /// Creates an aggregate; `roundRatios` must have `roundIDs.count × nurseries.count` entries.
    public init(
        benchmark: String, benchmarkVersion: String, procs: Int, nurseries: [Int64], roundIDs: [Int],
        roundRatios: [Double], defaultNurseryBytes: Int64?
    ) {
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.procs = procs
        self.nurseries = nurseries
        self.roundIDs = roundIDs
        self.roundRatios = roundRatios
        self.defaultNurseryBytes = defaultNurseryBytes
    }

    /// NaN-aware equality: two aggregates holding NaN in the same cells are equal.
    public static func == (lhs: CurveAggregate, rhs: CurveAggregate) -> Bool {
        lhs.benchmark == rhs.benchmark && lhs.benchmarkVersion == rhs.benchmarkVersion && lhs.procs == rhs.procs
            && lhs.nurseries == rhs.nurseries && lhs.roundIDs == rhs.roundIDs
            && lhs.defaultNurseryBytes == rhs.defaultNurseryBytes
            && lhs.roundRatios.count == rhs.roundRatios.count
            && zip(lhs.roundRatios, rhs.roundRatios).allSatisfy { $0.bitPattern == $1.bitPattern || $0 == $1 }
    }
}

/// A stored curve with the context of the submission it came from: what a refit and a
/// ``CurveSummarizer`` read.
public struct StoredCurve: Sendable, Equatable {
    public var submissionID: UUID
    public var machineID: String
    public var source: SubmissionSource
    public var receivedAt: Date
    /// `PyPy`, …
    public var implementation: String
    public var interpreterVersion: String
    /// True when the run had `PYPY_GC_MIN` set (fits skip such curves).
    public var pypyGCMinPinned: Bool
    /// The machine as the submission reported it.
    public var cpuModel: String
    public var arch: String
    public var cpuVendor: String
    public var physicalCores: Int
    public var l2Bytes: Int64?
    public var l3Bytes: Int64?
    public var cpuinfoCacheBytes: Int64?
    public var aggregate: CurveAggregate

    /// Creates a stored curve.
    public init(
        submissionID: UUID, machineID: String, source: SubmissionSource, receivedAt: Date, implementation: String,
        interpreterVersion: String, pypyGCMinPinned: Bool, cpuModel: String, arch: String, cpuVendor: String,
        physicalCores: Int, l2Bytes: Int64?, l3Bytes: Int64?, cpuinfoCacheBytes: Int64?, aggregate: CurveAggregate
    ) {
        self.submissionID = submissionID
        self.machineID = machineID
        self.source = source
        self.receivedAt = receivedAt
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.pypyGCMinPinned = pypyGCMinPinned
        self.cpuModel = cpuModel
        self.arch = arch
        self.cpuVendor = cpuVendor
        self.physicalCores = physicalCores
        self.l2Bytes = l2Bytes
        self.l3Bytes = l3Bytes
        self.cpuinfoCacheBytes = cpuinfoCacheBytes
        self.aggregate = aggregate
    }

    /// The machine-curve key this curve is combined under.
    public var machineKey: MachineCurveKey {
        MachineCurveKey(
            machineID: machineID, implementation: implementation, interpreterVersion: interpreterVersion,
            benchmark: aggregate.benchmark, benchmarkVersion: aggregate.benchmarkVersion, procs: aggregate.procs,
            pypyGCMinPinned: pypyGCMinPinned)
    }
}

/// Combines all stored curves of one ``MachineCurveKey`` into the machine's summary. The server
/// implements it with CrowdspeedFit; the store calls it inside the ingest transaction, so two
/// submissions of the same machine arriving together cannot overwrite each other's summary.
public protocol CurveSummarizer: Sendable {
    /// Summarizes `curves` (all of one key, oldest first, the new submission's included).
    func summarize(_ curves: [StoredCurve]) -> MachineCurveSummary
}

/// What the server derived from a submission, stored with it in the same transaction.
public struct IngestAggregates: Sendable {
    /// The submission's curves (PyPy gcbench only; empty for anything else).
    public var curves: [CurveAggregate]
    /// Turns a machine's curves into its summary.
    public var summarizer: any CurveSummarizer

    /// Creates the aggregates of one submission.
    public init(curves: [CurveAggregate], summarizer: any CurveSummarizer) {
        self.curves = curves
        self.summarizer = summarizer
    }

    /// Nothing derived: the submission has no curves (or a store test does not care).
    public static var none: IngestAggregates { IngestAggregates(curves: [], summarizer: NoSummarizer()) }

    /// The summarizer of ``none``; never called, since there are no curves.
    private struct NoSummarizer: CurveSummarizer {
        func summarize(_ curves: [StoredCurve]) -> MachineCurveSummary {
            MachineCurveSummary(
                submissionCount: Set(curves.map(\.submissionID)).count, roundCount: 0, defaultNurseryBytes: nil,
                points: [],
                best: nil, flatSet: [], defaultInFlatSet: true, gainOverDefault: nil)
        }
    }
}
