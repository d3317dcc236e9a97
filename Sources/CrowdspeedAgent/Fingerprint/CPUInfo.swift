import Foundation

/// The facts the agent needs from `/proc/cpuinfo`, parsed from its text.
///
/// x86 kernels print one block per logical CPU with `vendor_id`, `model name`, `cache size`,
/// `physical id`, `core id` and `flags`; arm64 kernels print `CPU implementer` / `CPU part`
/// and none of the others, so every field here is optional.
struct CPUInfo: Equatable {
    /// Number of `processor` blocks.
    var logicalCPUs: Int
    var vendorID: String?
    var modelName: String?
    /// The first `cache size` line in bytes: the one number PyPy's nursery rule reads.
    var cacheSizeBytes: Int64?
    /// Distinct `(physical id, core id)` pairs, or nil when the kernel prints no topology.
    var physicalCores: Int?
    /// x86 `flags` (or arm64 `Features`) of the first CPU.
    var flags: Set<String>
    /// arm64 `CPU implementer` and `CPU part` of the first CPU, as printed (`0x41`, `0xd0c`).
    var implementer: String?
    var part: String?

    /// Parses the whole text of `/proc/cpuinfo`.
    init(text: String) {
        var logical = 0
        var cores = Set<String>()
        var physicalID: String?
        var vendor: String?
        var model: String?
        var cache: Int64?
        var implementer: String?
        var part: String?
        var flags: Set<String>?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "processor":
                logical += 1
                physicalID = nil
            case "vendor_id": vendor = vendor ?? value
            case "model name": model = model ?? value
            case "cache size": cache = cache ?? ByteSize.parse(value)
            case "physical id": physicalID = value
            // `core id` follows `physical id` in each block; the pair names one physical core.
            case "core id": cores.insert("\(physicalID ?? "0")/\(value)")
            case "flags", "Features": if flags == nil { flags = Set(value.split(separator: " ").map(String.init)) }
            case "CPU implementer": implementer = implementer ?? value
            case "CPU part": part = part ?? value
            default: break
            }
        }
        self.logicalCPUs = logical
        self.vendorID = vendor
        self.modelName = model
        self.cacheSizeBytes = cache
        self.physicalCores = cores.isEmpty ? nil : cores.count
        self.flags = flags ?? []
        self.implementer = implementer
        self.part = part
    }
}
