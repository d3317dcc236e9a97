import Foundation

/// Parsers for the size spellings the kernel uses in sysfs (`32K`, `1024K`, `8M`) and procfs
/// (`512 KB`, `24684084 kB`).
enum ByteSize {
    /// Parses `32K`, `32 KB`, `32768K`, `8M`, `1G` or a plain byte count. Units are binary
    /// (the kernel's `K` in sysfs cache sizes and `kB` in procfs both mean 1024).
    static func parse(_ text: String) -> Int64? {
        var body = text.trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else { return nil }
        if body.hasSuffix("B") || body.hasSuffix("b") { body.removeLast() }
        body = body.trimmingCharacters(in: .whitespaces)
        var factor: Int64 = 1
        switch body.last {
        case "K", "k": factor = 1 << 10
        case "M", "m": factor = 1 << 20
        case "G", "g": factor = 1 << 30
        default: break
        }
        if factor != 1 { body.removeLast() }
        guard let value = Int64(body.trimmingCharacters(in: .whitespaces)), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: factor)
        return overflow ? nil : bytes
    }
}

/// Parser for kernel CPU lists such as `0-3,8-11` or `0,6`.
enum CPUList {
    /// The set of CPU numbers in `text`, or nil when it is malformed.
    static func parse(_ text: String) -> Set<Int>? {
        var cpus = Set<Int>()
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        for part in trimmed.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1)
            guard let low = Int(bounds[0]) else { return nil }
            let high = bounds.count == 2 ? Int(bounds[1]) : low
            guard let high, high >= low, high - low < 65_536 else { return nil }
            cpus.formUnion(low...high)
        }
        return cpus
    }
}
