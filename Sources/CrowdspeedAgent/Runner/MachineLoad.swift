import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Machine-wide CPU time counters from `/proc/stat`, to estimate how much of the machine other
/// programs used while a sample ran.
public struct MachineLoad: Sendable, Equatable {
    /// Busy (non-idle, non-iowait) CPU seconds since boot, all CPUs.
    public var busySeconds: Double
    /// All CPU seconds since boot, all CPUs.
    public var totalSeconds: Double

    public init(busySeconds: Double, totalSeconds: Double) {
        self.busySeconds = busySeconds
        self.totalSeconds = totalSeconds
    }

    /// Reads the aggregate `cpu` line of `/proc/stat`; nil where there is none (macOS).
    public static func read(path: String = "/proc/stat") -> MachineLoad? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return parse(String(decoding: data, as: UTF8.self), ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
    }

    /// Parses the `cpu  user nice system idle iowait irq softirq steal …` line.
    static func parse(_ text: String, ticksPerSecond: Double) -> MachineLoad? {
        guard ticksPerSecond > 0, let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else {
            return nil
        }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard fields.count >= 4 else { return nil }
        // guest and guest_nice (fields 9, 10) are already counted in user and nice.
        let counted = Array(fields.prefix(8))
        let total = counted.reduce(0, +)
        let idle = counted[3] + (counted.count > 4 ? counted[4] : 0)
        return MachineLoad(busySeconds: (total - idle) / ticksPerSecond, totalSeconds: total / ticksPerSecond)
    }

    /// The share of the machine's CPU capacity used by others between `start` and `end`: busy
    /// time minus the children's own CPU time, over all CPU time, clamped to 0…1.
    public static func foreignShare(from start: MachineLoad?, to end: MachineLoad?, ownCPUSeconds: Double) -> Double {
        guard let start, let end else { return 0 }
        let total = end.totalSeconds - start.totalSeconds
        guard total > 0 else { return 0 }
        let foreign = (end.busySeconds - start.busySeconds - ownCPUSeconds) / total
        return min(1, max(0, foreign))
    }
}
