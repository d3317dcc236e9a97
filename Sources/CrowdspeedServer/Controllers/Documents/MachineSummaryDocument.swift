import CrowdspeedStore
import Foundation

/// One machine as the API shows it: a row of `GET /api/v1/machines`, and the `summary` of
/// `GET /api/v1/machines/{id}`. Built from the store's ``MachineSummary``; the snake_case keys
/// are the API's, so the store's read model carries none.
public struct MachineSummaryDocument: Codable, Sendable, Equatable {
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
    public var submissionCount: Int
    public var firstSeen: Date
    public var lastSeen: Date
    public var quarantined: Bool

    /// The document of one stored machine.
    public init(_ summary: MachineSummary) {
        id = summary.id
        arch = summary.arch
        cpuVendor = summary.cpuVendor
        cpuModel = summary.cpuModel
        physicalCores = summary.physicalCores
        logicalCPUs = summary.logicalCPUs
        memoryBytes = summary.memoryBytes
        l2Bytes = summary.l2Bytes
        l3Bytes = summary.l3Bytes
        cpuinfoCacheBytes = summary.cpuinfoCacheBytes
        submissionCount = summary.submissionCount
        firstSeen = summary.firstSeen
        lastSeen = summary.lastSeen
        quarantined = summary.quarantined
    }

    enum CodingKeys: String, CodingKey {
        case id, arch
        case cpuVendor = "cpu_vendor"
        case cpuModel = "cpu_model"
        case physicalCores = "physical_cores"
        case logicalCPUs = "logical_cpus"
        case memoryBytes = "memory_bytes"
        case l2Bytes = "l2_bytes"
        case l3Bytes = "l3_bytes"
        case cpuinfoCacheBytes = "cpuinfo_cache_bytes"
        case submissionCount = "submission_count"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case quarantined
    }
}
