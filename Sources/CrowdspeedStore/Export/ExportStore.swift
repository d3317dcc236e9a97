import CrowdspeedCore
import Foundation

/// The public data, read page by page for the streamed exports: every visible sample and every
/// machine curve summary, with the machine's hardware but none of the secrets (tokens and their
/// hashes, install ids, client addresses) and nothing quarantined.
///
/// Pages use keyset pagination: each page ends with a cursor that the next call passes back, so
/// a read never holds more than one page whatever the database's size, and a backend can serve
/// each page with an index range scan. No SQLite type appears here: the PostgreSQL backend will
/// implement it too.
public protocol ExportStore: Sendable {
    /// Up to `limit` results' samples (each result is one benchmark at one parameter setting of
    /// one submission, with its samples unpacked into rows) after `cursor`, in a stable order.
    /// The page's ``ExportPage/next`` is nil at the end.
    func exportSamples(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<
        ExportSampleRow
    >

    /// Up to `limit` machine curve summaries after `cursor`, in a stable order.
    func exportCurves(filter: ExportFilter, after cursor: Int64?, limit: Int) async throws -> ExportPage<ExportCurveRow>

    /// A value that changes whenever anything an export could show changes (a submission stored
    /// or deleted, a moderation action, a curve summary rewritten): the basis of the exports'
    /// ETags. Cheap: it reads counters and maxima, never rows.
    func exportRevision() async throws -> String
}

/// The filters every export takes; nil means "any". Equality is exact (`version` is one
/// interpreter version, not a prefix).
public struct ExportFilter: Sendable, Equatable, Hashable {
    /// Submissions received at or after this instant (curves: summaries rewritten since).
    public var since: Date?
    /// Interpreter implementation (`PyPy`, `CPython`).
    public var implementation: String?
    /// Interpreter version (`7.3.17`).
    public var version: String?
    /// Machine architecture (`x86_64`, `aarch64`).
    public var arch: String?
    /// CPU vendor (`AuthenticAMD`, `GenuineIntel`, …).
    public var cpuVendor: String?
    /// One machine id.
    public var machine: String?

    /// Creates a filter; every field defaults to "any".
    public init(
        since: Date? = nil, implementation: String? = nil, version: String? = nil, arch: String? = nil,
        cpuVendor: String? = nil, machine: String? = nil
    ) {
        self.since = since
        self.implementation = implementation
        self.version = version
        self.arch = arch
        self.cpuVendor = cpuVendor
        self.machine = machine
    }
}

/// One page of an export and where the next one starts.
public struct ExportPage<Row: Sendable>: Sendable {
    public var rows: [Row]
    /// The cursor to pass for the next page; nil when this page is the last.
    public var next: Int64?

    public init(rows: [Row], next: Int64?) {
        self.rows = rows
        self.next = next
    }
}

/// The machine's hardware as exported: the stable facts from its latest submission, nothing
/// that identifies a person or an installation.
public struct ExportMachine: Sendable, Equatable {
    public var id: String
    public var arch: String
    public var cpuVendor: String
    public var cpuModel: String
    public var physicalCores: Int
    public var logicalCPUs: Int
    public var memoryBytes: Int64
    public var l2Bytes: Int64?
    public var l3Bytes: Int64?
    public var cpuinfoCacheBytes: Int64?
    public var virtualized: Bool

    public init(
        id: String, arch: String, cpuVendor: String, cpuModel: String, physicalCores: Int, logicalCPUs: Int,
        memoryBytes: Int64, l2Bytes: Int64?, l3Bytes: Int64?, cpuinfoCacheBytes: Int64?, virtualized: Bool
    ) {
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
        self.virtualized = virtualized
    }
}

/// One sample with its context.
public struct ExportSampleRow: Sendable, Equatable {
    public var submissionID: UUID
    public var receivedAt: Date
    public var source: String
    public var machine: ExportMachine
    public var implementation: String
    public var interpreterVersion: String
    public var benchmark: String
    public var benchmarkVersion: String
    public var params: ResultParams
    public var sample: Sample

    public init(
        submissionID: UUID, receivedAt: Date, source: String, machine: ExportMachine, implementation: String,
        interpreterVersion: String, benchmark: String, benchmarkVersion: String, params: ResultParams, sample: Sample
    ) {
        self.submissionID = submissionID
        self.receivedAt = receivedAt
        self.source = source
        self.machine = machine
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.params = params
        self.sample = sample
    }
}

/// One machine curve summary: what the machine pages show for one machine × interpreter ×
/// benchmark × procs.
public struct ExportCurveRow: Sendable, Equatable {
    public var machine: ExportMachine
    public var implementation: String
    public var interpreterVersion: String
    public var benchmark: String
    public var benchmarkVersion: String
    public var procs: Int
    /// Whether the submissions pinned `PYPY_GC_MIN` (a confound; such curves are not fitted).
    public var pypyGCMinPinned: Bool
    public var submissionCount: Int
    public var roundCount: Int
    public var defaultNurseryBytes: Int64?
    public var bestNurseryBytes: Int64?
    public var bestRelativeTime: Double?
    public var intervalLowerBytes: Int64?
    public var intervalUpperBytes: Int64?
    public var intervalConfidence: Double?
    public var gainOverDefault: Double?
    /// `[{"nursery_bytes", "relative_time", "rounds"}]`: the median time relative to the default
    /// per nursery size, as JSON.
    public var pointsJSON: String
    /// `[bytes, …]`: every size within 2% of the best, as JSON.
    public var flatSetJSON: String
    public var updatedAt: Date

    public init(
        machine: ExportMachine, implementation: String, interpreterVersion: String, benchmark: String,
        benchmarkVersion: String, procs: Int, pypyGCMinPinned: Bool, submissionCount: Int, roundCount: Int,
        defaultNurseryBytes: Int64?, bestNurseryBytes: Int64?, bestRelativeTime: Double?, intervalLowerBytes: Int64?,
        intervalUpperBytes: Int64?, intervalConfidence: Double?, gainOverDefault: Double?, pointsJSON: String,
        flatSetJSON: String, updatedAt: Date
    ) {
        self.machine = machine
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.procs = procs
        self.pypyGCMinPinned = pypyGCMinPinned
        self.submissionCount = submissionCount
        self.roundCount = roundCount
        self.defaultNurseryBytes = defaultNurseryBytes
        self.bestNurseryBytes = bestNurseryBytes
        self.bestRelativeTime = bestRelativeTime
        self.intervalLowerBytes = intervalLowerBytes
        self.intervalUpperBytes = intervalUpperBytes
        self.intervalConfidence = intervalConfidence
        self.gainOverDefault = gainOverDefault
        self.pointsJSON = pointsJSON
        self.flatSetJSON = flatSetJSON
        self.updatedAt = updatedAt
    }
}
