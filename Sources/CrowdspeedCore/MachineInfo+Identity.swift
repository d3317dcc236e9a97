import Foundation

extension MachineInfo {
    /// The server's id for this machine, derived from stable hardware fields only: architecture,
    /// CPU vendor and model, core counts, the cache topology, and memory rounded to whole GiB
    /// (the kernel's reserved share moves `MemTotal` between boots and versions).
    ///
    /// OS, kernel, virtualization and quota are left out: they change on upgrades without the
    /// hardware changing. Two identical machines therefore share an id, which is what the fit wants.
    /// The form is `m-` followed by 16 hex digits of a 64-bit FNV-1a hash of a canonical text.
    public var machineID: String {
        let caches = self.caches
            .sorted {
                ($0.level, $0.type.rawValue, $0.sizeBytes, $0.sharedBy) < (
                    $1.level, $1.type.rawValue, $1.sizeBytes, $1.sharedBy
                )
            }
            .map { "L\($0.level)\($0.type.rawValue):\($0.sizeBytes)/\($0.sharedBy)" }
        // Deduplicate: per-core caches are listed once per instance by some probes.
        var seen = Set<String>()
        let uniqueCaches = caches.filter { seen.insert($0).inserted }
        let memoryGiB = (Double(memoryBytes) / Double(1 << 30)).rounded()
        let canonical = [
            "arch=\(arch.lowercased())",
            "vendor=\(cpuVendor)",
            "model=\(cpuModel.split(whereSeparator: \.isWhitespace).joined(separator: " "))",
            "cores=\(physicalCores)/\(logicalCPUs)",
            "caches=\(uniqueCaches.joined(separator: ";"))",
            "memory_gib=\(Int(memoryGiB))",
        ].joined(separator: "\n")
        return "m-" + String(format: "%016llx", FNV1a.hash64(canonical))
    }

    /// Whether `id` has the shape ``machineID`` produces: `m-` and 16 lowercase hex digits.
    public static func isWellFormedID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count == 18, bytes[0] == UInt8(ascii: "m"), bytes[1] == UInt8(ascii: "-") else { return false }
        return bytes[2...].allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
