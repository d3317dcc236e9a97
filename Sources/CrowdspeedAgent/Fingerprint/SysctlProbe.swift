import CrowdspeedCore
import Foundation

/// Builds the machine facts of a Mac from `sysctl` output (`name: value` lines), so the parsing
/// is tested anywhere from recorded text; only fetching the live output is macOS-only.
public struct SysctlProbe: Sendable {
    /// The `sysctl` keys the probe reads, passed to `sysctl` on a live Mac.
    public static let keys = [
        "hw.memsize", "hw.physicalcpu", "hw.logicalcpu", "hw.l1icachesize", "hw.l1dcachesize", "hw.l2cachesize",
        "hw.l3cachesize", "hw.cacheconfig", "hw.perflevel0.physicalcpu", "hw.perflevel0.l1icachesize",
        "hw.perflevel0.l1dcachesize", "hw.perflevel0.l2cachesize", "hw.perflevel0.cpusperl2", "hw.machine",
        "machdep.cpu.vendor", "machdep.cpu.brand_string", "kern.osproductversion", "kern.osrelease",
        "kern.hv_vmm_present",
    ]

    /// Parsed `name → value` pairs.
    var values: [String: String]

    /// Parses `sysctl` output text.
    public init(output: String) {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values[String(line[..<colon]).trimmed] = String(line[line.index(after: colon)...]).trimmed
        }
        self.values = values
    }

    /// The wire form. Apple silicon reports per-performance-level caches; the performance cores'
    /// (`perflevel0`) are used, since that is where a busy benchmark process runs.
    public func machineInfo() throws -> MachineInfo {
        guard let memory = int("hw.memsize"), let logical = int("hw.logicalcpu") else {
            throw ProbeError.unreadable("sysctl hw.memsize / hw.logicalcpu")
        }
        let physical = int("hw.physicalcpu") ?? logical
        let brand = values["machdep.cpu.brand_string"] ?? "unknown"
        let vendor = values["machdep.cpu.vendor"] ?? (brand.hasPrefix("Apple") ? "Apple" : "unknown")
        var caches: [CacheInfo] = []
        if let l1d = int("hw.perflevel0.l1dcachesize") {
            caches.append(CacheInfo(level: 1, type: .data, sizeBytes: Int64(l1d), sharedBy: 1))
            if let l1i = int("hw.perflevel0.l1icachesize") {
                caches.append(CacheInfo(level: 1, type: .instruction, sizeBytes: Int64(l1i), sharedBy: 1))
            }
            if let l2 = int("hw.perflevel0.l2cachesize") {
                caches.append(
                    CacheInfo(
                        level: 2, type: .unified, sizeBytes: Int64(l2), sharedBy: int("hw.perflevel0.cpusperl2") ?? 1))
            }
        } else {
            // hw.cacheconfig lists how many logical CPUs share each level (index 0 is memory).
            let sharing = (values["hw.cacheconfig"] ?? "").split(separator: " ").compactMap { Int($0) }
            func shared(_ level: Int) -> Int { level < sharing.count && sharing[level] > 0 ? sharing[level] : 1 }
            if let l1d = int("hw.l1dcachesize") {
                caches.append(CacheInfo(level: 1, type: .data, sizeBytes: Int64(l1d), sharedBy: shared(1)))
            }
            if let l1i = int("hw.l1icachesize") {
                caches.append(CacheInfo(level: 1, type: .instruction, sizeBytes: Int64(l1i), sharedBy: shared(1)))
            }
            if let l2 = int("hw.l2cachesize") {
                caches.append(CacheInfo(level: 2, type: .unified, sizeBytes: Int64(l2), sharedBy: shared(2)))
            }
            if let l3 = int("hw.l3cachesize") {
                caches.append(CacheInfo(level: 3, type: .unified, sizeBytes: Int64(l3), sharedBy: shared(3)))
            }
        }
        return MachineInfo(
            arch: values["hw.machine"] ?? Uname.machine(), os: "macOS",
            osVersion: values["kern.osproductversion"] ?? "",
            kernel: values["kern.osrelease"] ?? "", cpuVendor: vendor, cpuModel: brand, physicalCores: physical,
            logicalCPUs: logical, memoryBytes: Int64(memory), caches: caches.filter { $0.sizeBytes > 0 },
            cpuinfoCacheBytes: nil, virtualized: values["kern.hv_vmm_present"] == "1", cpuQuota: nil)
    }

    private func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
}
