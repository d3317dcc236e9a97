/// Names for arm64 `CPU implementer` / `CPU part` codes, which is all an arm64 `/proc/cpuinfo`
/// says about the processor. The table follows the kernel's `arch/arm64/include/asm/cputype.h`
/// and util-linux `lscpu-arm.c`, limited to cores common in servers, boards and laptops.
enum ARMCPUNames {
    /// Implementer code → vendor name.
    static let implementers: [Int: String] = [
        0x41: "ARM", 0x42: "Broadcom", 0x43: "Cavium", 0x46: "Fujitsu", 0x48: "HiSilicon",
        0x4e: "NVIDIA", 0x50: "APM", 0x51: "Qualcomm", 0x61: "Apple", 0x6d: "Microsoft", 0xc0: "Ampere",
    ]

    /// (implementer, part) → core name.
    static let parts: [Int: [Int: String]] = [
        0x41: [
            0xd03: "Cortex-A53", 0xd04: "Cortex-A35", 0xd05: "Cortex-A55", 0xd07: "Cortex-A57",
            0xd08: "Cortex-A72", 0xd09: "Cortex-A73", 0xd0a: "Cortex-A75", 0xd0b: "Cortex-A76",
            0xd0c: "Neoverse-N1", 0xd0d: "Cortex-A77", 0xd40: "Neoverse-V1", 0xd41: "Cortex-A78",
            0xd44: "Cortex-X1", 0xd46: "Cortex-A510", 0xd47: "Cortex-A710", 0xd48: "Cortex-X2",
            0xd49: "Neoverse-N2", 0xd4f: "Neoverse-V2", 0xd80: "Cortex-A520", 0xd81: "Cortex-A720",
            0xd8e: "Neoverse-N3", 0xd84: "Neoverse-V3",
        ],
        0x48: [0xd01: "TaiShan v110"],
        0x4e: [0x004: "Carmel"],
        0x51: [0x800: "Kryo 2XX Gold", 0x801: "Kryo 2XX Silver", 0x001: "Oryon"],
        0x61: [0x022: "M1 Icestorm", 0x023: "M1 Firestorm", 0x032: "M2 Blizzard", 0x033: "M2 Avalanche"],
        0xc0: [0xac3: "Ampere-1", 0xac4: "Ampere-1a"],
    ]

    /// Vendor and model for the printed codes; unknown codes are kept in hex so two machines with
    /// the same unknown core still compare equal.
    static func describe(implementer: String?, part: String?) -> (vendor: String, model: String)? {
        guard let implementer, let code = parseHex(implementer) else { return nil }
        let vendor = implementers[code] ?? "ARM implementer \(implementer)"
        guard let part, let partCode = parseHex(part) else { return (vendor, vendor) }
        let model = parts[code]?[partCode] ?? "part \(part)"
        return (vendor, "\(vendor) \(model)")
    }

    private static func parseHex(_ text: String) -> Int? {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        return Int(digits, radix: 16)
    }
}
