import CrowdspeedCore
import Foundation

/// One CPU model the simulator can draw: plausible cache sizes for a real part.
public struct CPUModelSpec: Sendable, Equatable {
    public var vendor: String
    public var model: String
    public var arch: String
    /// Per-instance L2 size and how many physical cores share one instance.
    public var l2Bytes: Int64
    public var l2SharedByCores: Int
    /// Total L3 (or system-level cache), nil when the part has none.
    public var l3Bytes: Int64?
    /// Physical core counts this model is seen with (cloud VMs expose slices of big parts).
    public var coreOptions: [Int]
    /// Two hardware threads per core.
    public var smt: Bool
    /// Mostly seen as a cloud VM.
    public var virtualized: Bool
    /// Relative frequency in the population.
    public var weight: Double
}

/// The hardware mix the simulator draws from: Intel and AMD x86-64 desktops, laptops and
/// servers, and aarch64 servers and boards. L2 256K–2M per core, L3 from none to 384M,
/// 2–64 cores. Roughly 45% Intel, 35% AMD, 20% ARM by weight.
public enum HardwareCatalog {
    private static let k: Int64 = 1 << 10
    private static let m: Int64 = 1 << 20

    public static let models: [CPUModelSpec] = [
        // Intel
        spec(
            "GenuineIntel", "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz", l2: 256 * k, l3: 6 * m, cores: [4], smt: false,
            weight: 4),
        spec("GenuineIntel", "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz", l2: 256 * k, l3: 12 * m, cores: [6], weight: 5),
        spec(
            "GenuineIntel", "Intel(R) Core(TM) i7-10700K CPU @ 3.80GHz", l2: 256 * k, l3: 16 * m, cores: [8], weight: 5),
        spec("GenuineIntel", "12th Gen Intel(R) Core(TM) i7-1260P", l2: 1280 * k, l3: 18 * m, cores: [12], weight: 4),
        spec("GenuineIntel", "13th Gen Intel(R) Core(TM) i9-13900K", l2: 2 * m, l3: 36 * m, cores: [24], weight: 3),
        spec(
            "GenuineIntel", "Intel(R) Core(TM) i3-N305", l2: 2 * m, l2Shared: 4, l3: 6 * m, cores: [8], smt: false,
            weight: 2),
        spec(
            "GenuineIntel", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", l2: 256 * k, l3: 35 * m, cores: [14, 28],
            weight: 4),
        spec(
            "GenuineIntel", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", l2: m, l3: 27_500 * k,
            cores: [2, 4, 8, 20, 40], virtualized: true, weight: 5),
        spec(
            "GenuineIntel", "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", l2: 1280 * k, l3: 54 * m,
            cores: [2, 4, 8, 16, 32], virtualized: true, weight: 5),
        spec(
            "GenuineIntel", "Intel(R) Xeon(R) Platinum 8480+", l2: 2 * m, l3: 105 * m, cores: [8, 16, 56],
            virtualized: true, weight: 3),
        // AMD
        spec("AuthenticAMD", "AMD Ryzen 5 3600 6-Core Processor", l2: 512 * k, l3: 32 * m, cores: [6], weight: 4),
        spec("AuthenticAMD", "AMD Ryzen 7 5800X 8-Core Processor", l2: 512 * k, l3: 32 * m, cores: [8], weight: 4),
        spec("AuthenticAMD", "AMD Ryzen 7 5800X3D 8-Core Processor", l2: 512 * k, l3: 96 * m, cores: [8], weight: 2),
        spec("AuthenticAMD", "AMD Ryzen 5 5600U with Radeon Graphics", l2: 512 * k, l3: 16 * m, cores: [6], weight: 3),
        spec("AuthenticAMD", "AMD Ryzen 9 7950X 16-Core Processor", l2: m, l3: 64 * m, cores: [16], weight: 3),
        spec(
            "AuthenticAMD", "AMD EPYC 7763 64-Core Processor", l2: 512 * k, l3: 256 * m, cores: [2, 4, 8, 16, 32, 64],
            virtualized: true, weight: 6),
        spec("AuthenticAMD", "AMD EPYC 7B13", l2: 512 * k, l3: 32 * m, cores: [2, 4, 8], virtualized: true, weight: 4),
        spec(
            "AuthenticAMD", "AMD EPYC 9654 96-Core Processor", l2: m, l3: 384 * m, cores: [16, 32, 64],
            virtualized: true, weight: 2),
        // ARM
        spec(
            "ARM", "Neoverse-N1", arch: "aarch64", l2: m, l3: 32 * m, cores: [2, 4, 8, 16, 64], smt: false,
            virtualized: true, weight: 5),
        spec(
            "ARM", "Neoverse-V1", arch: "aarch64", l2: m, l3: 32 * m, cores: [2, 4, 8, 16, 64], smt: false,
            virtualized: true, weight: 4),
        spec("ARM", "Cortex-A72", arch: "aarch64", l2: m, l2Shared: 4, l3: nil, cores: [4], smt: false, weight: 3),
        spec("ARM", "Cortex-A76", arch: "aarch64", l2: 512 * k, l3: 2 * m, cores: [4], smt: false, weight: 3),
        spec(
            "ARM", "Cortex-A55", arch: "aarch64", l2: 256 * k, l2Shared: 4, l3: nil, cores: [4, 8], smt: false,
            weight: 2),
        spec(
            "Ampere", "Ampere Altra Q80-30", arch: "aarch64", l2: m, l3: 32 * m, cores: [4, 8, 16, 32, 64], smt: false,
            virtualized: true, weight: 3),
    ]

    private static func spec(
        _ vendor: String, _ model: String, arch: String = "x86_64", l2: Int64, l2Shared: Int = 1, l3: Int64?,
        cores: [Int], smt: Bool = true, virtualized: Bool = false, weight: Double
    ) -> CPUModelSpec {
        CPUModelSpec(
            vendor: vendor, model: model, arch: arch, l2Bytes: l2, l2SharedByCores: l2Shared, l3Bytes: l3,
            coreOptions: cores, smt: smt, virtualized: virtualized, weight: weight)
    }

    /// Draws a model by weight.
    static func draw(using generator: inout some RandomNumberGenerator) -> CPUModelSpec {
        let total = models.reduce(0) { $0 + $1.weight }
        var u = generator.nextUnit() * total
        for model in models {
            u -= model.weight
            if u < 0 { return model }
        }
        return models[models.count - 1]
    }
}
