import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// A stored curve with the context of the submission it came from: what a refit reads.
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
    /// The curve and the workload it measured.
    public var aggregate: WorkloadCurve

    /// Creates a stored curve.
    public init(
        submissionID: UUID, machineID: String, source: SubmissionSource, receivedAt: Date, implementation: String,
        interpreterVersion: String, pypyGCMinPinned: Bool, cpuModel: String, arch: String, cpuVendor: String,
        physicalCores: Int, l2Bytes: Int64?, l3Bytes: Int64?, cpuinfoCacheBytes: Int64?, aggregate: WorkloadCurve
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

/// The bounded window of one machine key's curves (``CurveCombiner/window(_:limit:)`` of all its
/// visible curves, oldest first), maintained by the store at every ingest, deletion and
/// moderation, in the same transaction: what the key's summary is computed from.
///
/// `revision` grows with every change of the window; a summary records the revision it was
/// computed from, so an older computation never overwrites a newer one, and a window whose
/// summary is behind (a crash between the commit and the summary) can be found and summarized.
public struct CurveWindow: Sendable, Equatable {
    public var key: MachineCurveKey
    /// At most ``CurveCombiner/windowRounds`` rounds, the most recent.
    public var curve: Curve
    /// Visible submissions with a curve of this key (all of them, not only the window's).
    public var submissionCount: Int
    public var revision: Int64
    /// The receipt of the newest contributing submission.
    public var updatedAt: Date

    /// Creates a window.
    public init(key: MachineCurveKey, curve: Curve, submissionCount: Int, revision: Int64, updatedAt: Date) {
        self.key = key
        self.curve = curve
        self.submissionCount = submissionCount
        self.revision = revision
        self.updatedAt = updatedAt
    }
}
