import Foundation

/// PyPy's own choice of nursery size when `PYPY_GC_NURSERY` is unset, per interpreter version:
/// the baseline every formula is compared with.
///
/// - 7.3.15 and earlier (measured on 7.3.11): half the `/proc/cpuinfo` "cache size" when that is
///   above 2 MiB, else 1 MiB.
/// - 7.3.16 and later: half the reading when above 8 MiB, else 4 MiB.
///
/// The "cache size" line is the L3 on Intel and the L2 on AMD; aarch64 kernels print none. The
/// recorded reading is used when present; otherwise it is reconstructed from the vendor (Intel →
/// L3, AMD → L2) and, for other vendors, taken as missing, which gives the fallback size.
///
/// DESIGN.md says the rule changed again in 7.3.23; the change is not specified anywhere this
/// library can read, so 7.3.23+ uses the 7.3.16 rule (``isExactlyKnown(version:)`` says so).
public enum PyPyDefaultRule {
    /// The nursery size PyPy `version` picks on a machine with `features`.
    ///
    /// - Parameters:
    ///   - version: the PyPy version (`7.3.11`, `7.3.17`, `7.3.16-final`…); unparseable or nil
    ///     versions get the newest rule.
    ///   - features: the machine; only the cpuinfo reading, vendor and caches are used.
    /// - Returns: bytes, always positive.
    public static func nurseryBytes(version: String?, features: MachineFeatures) -> Int64 {
        let reading = cpuinfoCacheBytes(features)
        if usesOldRule(version: version) {
            if let reading, reading > 2 << 20 { return reading / 2 }
            return 1 << 20
        }
        if let reading, reading > 8 << 20 { return reading / 2 }
        return 4 << 20
    }

    /// The cache size PyPy reads: the recorded value, else the vendor's usual line.
    public static func cpuinfoCacheBytes(_ features: MachineFeatures) -> Int64? {
        if let recorded = features.cpuinfoCacheBytes { return recorded }
        switch features.cpuVendor {
        case "GenuineIntel": return features.l3Bytes ?? features.l2Bytes
        case "AuthenticAMD": return features.l2Bytes
        default: return nil
        }
    }

    /// False for versions whose rule this library does not know exactly (7.3.23 and later).
    public static func isExactlyKnown(version: String?) -> Bool {
        guard let parts = parse(version) else { return false }
        return parts.lexicographicallyPrecedes([7, 3, 23])
    }

    /// True when `version` predates 7.3.16.
    static func usesOldRule(version: String?) -> Bool {
        guard let parts = parse(version) else { return false }
        return parts.lexicographicallyPrecedes([7, 3, 16])
    }

    /// The leading numeric components of a version string (`7.3.16-final` → [7, 3, 16]).
    static func parse(_ version: String?) -> [Int]? {
        guard let version else { return nil }
        var parts: [Int] = []
        for component in version.split(separator: ".", maxSplits: 3) {
            let digits = component.prefix(while: \.isNumber)
            guard let value = Int(digits) else { break }
            parts.append(value)
            if digits.count != component.count { break }
        }
        return parts.count >= 2 ? parts : nil
    }
}
