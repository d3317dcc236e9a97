import Foundation

/// One machine's median CPU time for one benchmark variant on one interpreter version, at the
/// interpreter's default setting with one process (the newest submission wins when a machine
/// ran the same interpreter twice).
public struct InterpreterTiming: Sendable, Equatable {
    public var machineID: String
    public var implementation: String
    public var interpreterVersion: String
    public var benchmark: String
    public var payload: String?
    public var library: String?
    public var medianCPUMs: Double

    public init(
        machineID: String, implementation: String, interpreterVersion: String, benchmark: String, payload: String?,
        library: String?, medianCPUMs: Double
    ) {
        self.machineID = machineID
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.benchmark = benchmark
        self.payload = payload
        self.library = library
        self.medianCPUMs = medianCPUMs
    }
}
