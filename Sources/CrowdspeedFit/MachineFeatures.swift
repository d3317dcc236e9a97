import CrowdspeedCore
import Foundation

/// What a formula may look at: the hardware numbers PyPy's `env.py` can read at startup, plus
/// the number of concurrent processes and what the interpreter's own rule needs.
///
/// All sizes are bytes. `l3Bytes` is nil on machines without an L3 (many ARM cores, older
/// laptops); formulas then use the L2 as the last-level cache (see ``lastLevelCacheBytes``).
public struct MachineFeatures: Codable, Sendable, Equatable, Hashable {
    /// The largest L2 data/unified cache instance (per core on most x86, per cluster on ARM).
    public var l2Bytes: Int64
    /// The largest L3 instance, or nil when the machine reports none.
    public var l3Bytes: Int64?
    public var physicalCores: Int
    /// Concurrent processes the curve was measured with (or the recommendation is for).
    public var procs: Int
    /// Normalized architecture (`x86_64`, `aarch64`, …), see ``HardwareClass``.
    public var arch: String
    public var cpuVendor: String
    /// The `/proc/cpuinfo` "cache size" reading, when recorded: the input of PyPy's own rule.
    public var cpuinfoCacheBytes: Int64?

    /// Creates features from explicit numbers. Non-positive counts are raised to 1 so that
    /// logarithms stay finite.
    public init(
        l2Bytes: Int64, l3Bytes: Int64?, physicalCores: Int, procs: Int,
        arch: String = "x86_64", cpuVendor: String = "GenuineIntel", cpuinfoCacheBytes: Int64? = nil
    ) {
        self.l2Bytes = max(1, l2Bytes)
        self.l3Bytes = l3Bytes.flatMap { $0 > 0 ? $0 : nil }
        self.physicalCores = max(1, physicalCores)
        self.procs = max(1, procs)
        self.arch = HardwareClass.normalizedArch(arch)
        self.cpuVendor = cpuVendor
        self.cpuinfoCacheBytes = cpuinfoCacheBytes.flatMap { $0 > 0 ? $0 : nil }
    }

    /// Reads the features of `machine` for a run with `procs` processes.
    ///
    /// - Returns: nil when the machine reports no L2 cache: every cache formula needs one, and
    ///   guessing it would put invented numbers into the fit.
    public init?(machine: MachineInfo, procs: Int) {
        guard let l2 = machine.cacheBytes(level: 2) else { return nil }
        self.init(
            l2Bytes: l2, l3Bytes: machine.cacheBytes(level: 3), physicalCores: machine.physicalCores,
            procs: procs, arch: machine.arch, cpuVendor: machine.cpuVendor,
            cpuinfoCacheBytes: machine.cpuinfoCacheBytes)
    }

    /// L3 when present, else L2: what "L3" means in formulas on machines without an L3.
    public var lastLevelCacheBytes: Int64 { l3Bytes ?? l2Bytes }

    /// The machine's hardware class (architecture × vendor).
    public var hardwareClass: HardwareClass { HardwareClass(arch: arch, cpuVendor: cpuVendor) }
}

/// A hardware class, architecture × CPU vendor (`x86_64/GenuineIntel`): the unit that may get
/// its own formula when it has enough machines.
public struct HardwareClass: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var arch: String
    public var cpuVendor: String

    /// Creates a class; `arch` is normalized (`arm64` → `aarch64`, `amd64` → `x86_64`).
    public init(arch: String, cpuVendor: String) {
        self.arch = Self.normalizedArch(arch)
        self.cpuVendor = cpuVendor
    }

    /// `arch/vendor`, e.g. `aarch64/ARM`.
    public var description: String { "\(arch)/\(cpuVendor)" }

    public static func < (lhs: HardwareClass, rhs: HardwareClass) -> Bool { lhs.description < rhs.description }

    /// One spelling per architecture, so that macOS's `arm64` and Linux's `aarch64` share a class.
    public static func normalizedArch(_ arch: String) -> String {
        // The spellings stored after normalization, without lowercasing a copy (hot in fits).
        if arch == "x86_64" || arch == "aarch64" { return arch }
        return switch arch.lowercased() {
        case "arm64", "aarch64": "aarch64"
        case "amd64", "x86_64", "x86-64": "x86_64"
        default: arch.lowercased()
        }
    }
}
