import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// Everything the server stores and reads, behind one protocol so the SQLite implementation can
/// later be joined by a PostgreSQL one without touching the controllers.
///
/// Implementations own every write; one logical write is one transaction, and a call that returns
/// has committed (an acknowledged submission survives a crash of the process).
public protocol ResultStore: Sendable {
    /// Stores a validated submission and everything in it in one transaction.
    ///
    /// - Parameters:
    ///   - submission: a submission that passed ``Submission/validate(limits:now:)``.
    ///   - receivedAt: the server's clock at receipt.
    ///   - credentials: the hashed install and deletion tokens of the request; with them, the
    ///     same transaction attaches the submission to its install (creating one when the
    ///     presented token is unknown) and records its deletion digest. Nil for imports and tests.
    ///     Every new submission is also screened against its class (`OutlierScreen`) and flagged
    ///     rather than refused.
    ///   - curves: the submission's PyPy gcbench curves, derived by the caller; stored in the same
    ///     transaction and appended to their machine keys' windows (``CurveWindow``), whose
    ///     summaries the caller then computes (see ``CurveStore``).
    /// - Returns: `.created` the first time this id is seen, `.duplicate` when the same id with the
    ///   same content was already stored (nothing is written, except a rotated deletion digest
    ///   when the same install repeats it), and what the client must be told about its tokens.
    /// - Throws: ``StoreError/idConflict(_:)`` when the id is stored with different content.
    func ingest(
        _ submission: Submission, receivedAt: Date, credentials: IngestCredentials?, curves: [WorkloadCurve]
    ) async throws -> IngestResult

    /// One stored submission with all its samples, or nil when the id is unknown.
    func submission(id: UUID) async throws -> StoredSubmission?

    /// A page of machines, most recently seen first. Quarantined machines, and machines whose
    /// every submission is quarantined, are left out.
    func machines(limit: Int, offset: Int) async throws -> MachinePage

    /// One machine with its runs, or nil when the id is unknown. Quarantined data is included
    /// and marked.
    func machine(id: String) async throws -> MachineDetail?

    /// Deletes a submission and its samples in one transaction when `deletionTokenHash` matches
    /// its stored digest (compared in constant time), correcting the machine's aggregates and
    /// curve windows (their summaries are then behind; see ``CurveStore``), and records the
    /// deletion in the audit log.
    func deleteSubmission(id: UUID, deletionTokenHash: String, at: Date) async throws -> DeletionOutcome

    /// Quarantines (`quarantined: true`) or releases a submission, install or machine, rebuilds
    /// the curve windows of the machines whose submissions it hides or shows (their summaries are
    /// then behind; see ``CurveStore``), and records the action in the audit log, in one
    /// transaction.
    func setQuarantine(
        _ target: ModerationTarget, quarantined: Bool, reason: String?, actor: String, at: Date
    ) async throws -> ModerationOutcome

    /// The most recent audit log entries, newest first.
    func auditLog(limit: Int) async throws -> [AuditEntry]

    /// Every stored submission's install, hardware class, source, quarantine state and flag:
    /// the input of ``InstallWeightCap/machineWeights(_:)`` for the fitting code.
    func submissionProvenance() async throws -> [SubmissionProvenance]
}

/// Whether ``ResultStore/ingest(_:receivedAt:credentials:curves:)`` stored something new.
public enum IngestOutcome: Sendable, Equatable {
    case created(machineID: String)
    case duplicate(machineID: String)
}

extension ResultStore {
    /// Stores a submission without credentials (imports, tests): no install, no deletion token.
    public func ingest(_ submission: Submission, receivedAt: Date) async throws -> IngestOutcome {
        try await ingest(submission, receivedAt: receivedAt, credentials: nil, curves: []).outcome
    }
}

/// Errors of the storage layer, free of HTTP; the server maps them to statuses.
public enum StoreError: Error, Sendable, Equatable {
    /// The submission id is already stored with different content.
    case idConflict(UUID)
    /// The database holds migrations this build does not know (it was opened by a newer server).
    case unknownMigrations([String])
}

/// A submission as stored, with what the server added.
public struct StoredSubmission: Sendable, Equatable {
    public var submission: Submission
    public var machineID: String
    public var receivedAt: Date
    /// True when the submission, its install or its machine is quarantined.
    public var quarantined: Bool
    /// Why plausibility screening flagged it, nil when it was not.
    public var flagReason: String?

    public init(
        submission: Submission, machineID: String, receivedAt: Date, quarantined: Bool = false,
        flagReason: String? = nil
    ) {
        self.submission = submission
        self.machineID = machineID
        self.receivedAt = receivedAt
        self.quarantined = quarantined
        self.flagReason = flagReason
    }
}

/// One row of the machines list.
public struct MachineSummary: Sendable, Equatable {
    public var id: String
    public var arch: String
    public var cpuVendor: String
    public var cpuModel: String
    public var physicalCores: Int
    public var logicalCPUs: Int
    public var memoryBytes: Int64
    /// Largest L2 and L3 data/unified cache, nil when the machine has none at that level.
    public var l2Bytes: Int64?
    public var l3Bytes: Int64?
    public var cpuinfoCacheBytes: Int64?
    public var submissionCount: Int
    public var firstSeen: Date
    public var lastSeen: Date
    /// True when an operator quarantined the machine (it then leaves the list and the fits).
    public var quarantined: Bool

    public init(
        id: String, arch: String, cpuVendor: String, cpuModel: String, physicalCores: Int, logicalCPUs: Int,
        memoryBytes: Int64, l2Bytes: Int64?, l3Bytes: Int64?, cpuinfoCacheBytes: Int64?, submissionCount: Int,
        firstSeen: Date, lastSeen: Date, quarantined: Bool = false
    ) {
        self.quarantined = quarantined
        self.id = id
        self.arch = arch
        self.cpuVendor = cpuVendor
        self.cpuModel = cpuModel
        self.physicalCores = physicalCores
        self.logicalCPUs = logicalCPUs
        self.memoryBytes = memoryBytes
        self.l2Bytes = l2Bytes
        self.l3Bytes = l3Bytes
        self.cpuinfoCacheBytes = cpuinfoCacheBytes
        self.submissionCount = submissionCount
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }

}

/// A page of ``MachineSummary`` with the total count, for pagination links.
public struct MachinePage: Sendable, Equatable {
    public var machines: [MachineSummary]
    public var total: Int
    public var limit: Int
    public var offset: Int

    public init(machines: [MachineSummary], total: Int, limit: Int, offset: Int) {
        self.machines = machines
        self.total = total
        self.limit = limit
        self.offset = offset
    }
}

/// One machine: its hardware as last reported, and its runs.
public struct MachineDetail: Sendable, Equatable {
    public var summary: MachineSummary
    /// The hardware facts of the most recent submission.
    public var hardware: MachineInfo
    public var submissions: [SubmissionRef]
    /// Per interpreter version, workload and procs: the curve combined across submissions, with
    /// the estimated best nursery and its interval (maintained at ingest; see ``FitStore``).
    public var curves: [MachineCurve]

    public init(
        summary: MachineSummary, hardware: MachineInfo, submissions: [SubmissionRef], curves: [MachineCurve] = []
    ) {
        self.summary = summary
        self.hardware = hardware
        self.submissions = submissions
        self.curves = curves
    }
}

/// A short reference to one stored submission.
public struct SubmissionRef: Sendable, Equatable {
    public var id: UUID
    public var createdAt: Date
    public var receivedAt: Date
    public var source: SubmissionSource
    public var interpreter: InterpreterInfo
    public var resultCount: Int
    public var sampleCount: Int
    /// True when the submission, its install or its machine is quarantined.
    public var quarantined: Bool
    /// Why plausibility screening flagged it, nil when it was not.
    public var flag: String?

    public init(
        id: UUID, createdAt: Date, receivedAt: Date, source: SubmissionSource, interpreter: InterpreterInfo,
        resultCount: Int,
        sampleCount: Int, quarantined: Bool = false, flag: String? = nil
    ) {
        self.quarantined = quarantined
        self.flag = flag
        self.id = id
        self.createdAt = createdAt
        self.receivedAt = receivedAt
        self.source = source
        self.interpreter = interpreter
        self.resultCount = resultCount
        self.sampleCount = sampleCount
    }

}
