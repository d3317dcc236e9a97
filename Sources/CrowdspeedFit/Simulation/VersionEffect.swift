import CrowdspeedCore
import Foundation

/// A known, planted difference of one interpreter version, for simulated populations whose
/// comparisons have a right answer.
///
/// The effect applies to every run of exactly `implementation` `version` (to keep a change in
/// later versions, list them too) on machines of `hardwareClass` (every class when nil), for
/// `benchmark`. Relative to a version without effects, CPU time is multiplied by
/// ``cpuTimeFactor`` (1.06: 6% more CPU time, a regression) and, for gcbench, the true optimum
/// nursery moves by ``optimumShiftLog2`` powers of two.
public struct VersionEffect: Sendable, Hashable, Codable {
    public var implementation: String
    public var version: String
    public var hardwareClass: HardwareClass?
    public var benchmark: String
    public var cpuTimeFactor: Double
    public var optimumShiftLog2: Double

    public init(
        implementation: String = "PyPy", version: String, hardwareClass: HardwareClass? = nil, benchmark: String,
        cpuTimeFactor: Double = 1, optimumShiftLog2: Double = 0
    ) {
        self.implementation = implementation
        self.version = version
        self.hardwareClass = hardwareClass
        self.benchmark = benchmark
        self.cpuTimeFactor = cpuTimeFactor
        self.optimumShiftLog2 = optimumShiftLog2
    }

    /// True when this effect acts on a run of `interpreter` on `hardwareClass` for `benchmark`.
    public func applies(
        to interpreter: InterpreterKey, hardwareClass machineClass: HardwareClass, benchmark name: String
    )
        -> Bool
    {
        interpreter.isImplementation(implementation) && interpreter.version == version && benchmark == name
            && (hardwareClass.map { $0 == machineClass } ?? true)
    }

    /// The demo's planted differences between PyPy 7.3.16 and 7.3.17: gcbench 6% slower on AMD
    /// x86-64 machines (a regression on one hardware class) and json.dumps 5% faster on Intel
    /// x86-64 machines (an improvement elsewhere); everything else unchanged.
    public static let demo: [VersionEffect] = [
        VersionEffect(
            version: "7.3.17", hardwareClass: HardwareClass(arch: "x86_64", cpuVendor: "AuthenticAMD"),
            benchmark: BenchmarkName.gcbench, cpuTimeFactor: 1.06),
        VersionEffect(
            version: "7.3.17", hardwareClass: HardwareClass(arch: "x86_64", cpuVendor: "GenuineIntel"),
            benchmark: BenchmarkName.jsonDumps, cpuTimeFactor: 0.95),
    ]
}
