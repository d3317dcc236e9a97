import CrowdspeedCore
import Foundation

/// One row of the overview's "latest submissions": the run and the machine it came from.
public struct LatestSubmission: Sendable, Equatable {
    public var id: UUID
    public var machineID: String
    public var cpuVendor: String
    public var cpuModel: String
    public var implementation: String
    public var interpreterVersion: String
    public var source: SubmissionSource
    public var receivedAt: Date
    public var sampleCount: Int

    public init(
        id: UUID, machineID: String, cpuVendor: String, cpuModel: String, implementation: String,
        interpreterVersion: String,
        source: SubmissionSource, receivedAt: Date, sampleCount: Int
    ) {
        self.id = id
        self.machineID = machineID
        self.cpuVendor = cpuVendor
        self.cpuModel = cpuModel
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.source = source
        self.receivedAt = receivedAt
        self.sampleCount = sampleCount
    }
}
