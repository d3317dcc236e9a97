import CrowdspeedCore
import Foundation

extension MachineInfo {
    /// A readable two-column table of the fingerprint, for `crowdspeed-agent fingerprint`.
    public var table: String {
        var rows: [(String, String)] = [
            ("CPU", "\(cpuModel) (\(cpuVendor))"),
            ("Architecture", arch),
            ("Cores", "\(physicalCores) physical, \(logicalCPUs) logical"),
            ("Memory", Self.formatBytes(memoryBytes)),
            ("OS", [os, osVersion].filter { !$0.isEmpty }.joined(separator: " ")),
            ("Kernel", kernel.isEmpty ? "-" : kernel),
        ]
        for cache in caches {
            rows.append(
                (
                    "L\(cache.level) \(cache.type.rawValue)",
                    "\(Self.formatBytes(cache.sizeBytes)), shared by \(cache.sharedBy) CPU\(cache.sharedBy == 1 ? "" : "s")"
                ))
        }
        rows.append(
            ("cpuinfo cache size", cpuinfoCacheBytes.map { "\(Self.formatBytes($0)) (what PyPy reads)" } ?? "-"))
        rows.append(("Virtualized", virtualized ? "yes" : "no"))
        rows.append(("CPU quota", cpuQuota.map { String(format: "%.2f CPUs", $0) } ?? "none"))
        rows.append(("Machine id", machineID))
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(
            separator: "\n")
    }

    /// `32 KiB`, `1 MiB`, `23.5 GiB`: binary units, the way caches are sold.
    static func formatBytes(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            let value = Double(bytes) / Double(size)
            return value == value.rounded() ? "\(Int64(value)) \(name)" : String(format: "%.1f %@", value, name)
        }
        return "\(bytes) B"
    }
}
