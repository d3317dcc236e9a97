import Foundation

/// The hardware and operating system a submission was measured on. Holds no names a user chose:
/// no hostname, user name, MAC address or serial number.
public struct MachineInfo: Codable, Sendable, Equatable {
    /// `x86_64`, `aarch64`, `arm64`, …
    public var arch: String
    /// `Linux`, `macOS`, …
    public var os: String
    public var osVersion: String
    public var kernel: String
    /// `AuthenticAMD`, `GenuineIntel`, `Apple`, `ARM`, …
    public var cpuVendor: String
    public var cpuModel: String
    public var physicalCores: Int
    public var logicalCPUs: Int
    public var memoryBytes: Int64
    public var caches: [CacheInfo]
    /// The `/proc/cpuinfo` "cache size" line in bytes: the one number PyPy's own rule reads.
    public var cpuinfoCacheBytes: Int64?
    public var virtualized: Bool
    /// CPUs' worth of time the cgroup allows (cgroup v2 `cpu.max` quota / period), nil when unlimited.
    public var cpuQuota: Double?

    public init(
        arch: String, os: String, osVersion: String, kernel: String, cpuVendor: String, cpuModel: String,
        physicalCores: Int, logicalCPUs: Int, memoryBytes: Int64, caches: [CacheInfo],
        cpuinfoCacheBytes: Int64? = nil, virtualized: Bool, cpuQuota: Double? = nil
    ) {
        self.arch = arch
        self.os = os
        self.osVersion = osVersion
        self.kernel = kernel
        self.cpuVendor = cpuVendor
        self.cpuModel = cpuModel
        self.physicalCores = physicalCores
        self.logicalCPUs = logicalCPUs
        self.memoryBytes = memoryBytes
        self.caches = caches
        self.cpuinfoCacheBytes = cpuinfoCacheBytes
        self.virtualized = virtualized
        self.cpuQuota = cpuQuota
    }

    enum CodingKeys: String, CodingKey {
        case arch, os
        case osVersion = "os_version"
        case kernel
        case cpuVendor = "cpu_vendor"
        case cpuModel = "cpu_model"
        case physicalCores = "physical_cores"
        case logicalCPUs = "logical_cpus"
        case memoryBytes = "memory_bytes"
        case caches
        case cpuinfoCacheBytes = "cpuinfo_cache_bytes"
        case virtualized
        case cpuQuota = "cpu_quota"
    }

    /// The size of the largest data-or-unified cache at `level`, or nil when there is none.
    public func cacheBytes(level: Int) -> Int64? {
        caches.filter { $0.level == level && $0.type != .instruction }.map(\.sizeBytes).max()
    }
}

/// One cache as the operating system reports it.
public struct CacheInfo: Codable, Sendable, Equatable, Hashable {
    public var level: Int
    public var type: CacheType
    public var sizeBytes: Int64
    /// How many logical CPUs share one instance of this cache.
    public var sharedBy: Int

    public init(level: Int, type: CacheType, sizeBytes: Int64, sharedBy: Int) {
        self.level = level
        self.type = type
        self.sizeBytes = sizeBytes
        self.sharedBy = sharedBy
    }

    enum CodingKeys: String, CodingKey {
        case level, type
        case sizeBytes = "size_bytes"
        case sharedBy = "shared_by"
    }
}

/// What a cache holds.
public enum CacheType: String, Codable, Sendable, CaseIterable {
    case data, instruction, unified
}
