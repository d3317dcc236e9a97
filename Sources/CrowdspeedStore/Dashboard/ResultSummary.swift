import Foundation

/// The median timings of one stored result (one benchmark at one setting in one submission),
/// as kept in `result_summaries`.
public struct ResultSummary: Sendable, Equatable {
    public var machineID: String
    public var submissionID: UUID
    public var implementation: String
    public var interpreterVersion: String
    public var benchmark: String
    public var benchmarkVersion: String
    public var procs: Int?
    public var nurseryBytes: Int64?
    public var payload: String?
    public var library: String?
    /// Samples that did not fail.
    public var usableSamples: Int
    /// Nil when no sample was usable.
    public var medianCPUMs: Double?
    public var medianWallMs: Double?

    public init(
        machineID: String, submissionID: UUID, implementation: String, interpreterVersion: String, benchmark: String,
        benchmarkVersion: String, procs: Int?, nurseryBytes: Int64?, payload: String?, library: String?,
        usableSamples: Int,
        medianCPUMs: Double?, medianWallMs: Double?
    ) {
        self.machineID = machineID
        self.submissionID = submissionID
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.procs = procs
        self.nurseryBytes = nurseryBytes
        self.payload = payload
        self.library = library
        self.usableSamples = usableSamples
        self.medianCPUMs = medianCPUMs
        self.medianWallMs = medianWallMs
    }
}
