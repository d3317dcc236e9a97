import CrowdspeedCore
import Foundation

/// How numbers read on the pages: sizes as PyPy writes them, percentages with a sign, times in
/// UTC. One place, so a table and its chart never disagree.
enum Format {
    /// `8M`, `512K`, `1.5M`; an em dash for unknown.
    static func bytes(_ value: Int64?) -> String {
        guard let value else { return "—" }
        let exact = NurserySize.format(value)
        guard exact == String(value), value >= 1 << 10 else { return exact }
        // Not a whole number of units (a 1.25 MiB L2): one decimal of the largest unit.
        let units: [(Int64, String)] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
        let (size, suffix) = units.first { value >= $0.0 } ?? (1 << 10, "K")
        return String(format: "%.1f", Double(value) / Double(size)) + suffix
    }

    /// `+12.3%` for 0.123; an em dash for unknown or non-finite.
    static func signedPercent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%+.1f%%", value * 100)
    }

    /// `12.3%` for 0.123.
    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.1f%%", value * 100)
    }

    /// `0.923`.
    static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.3f", value)
    }

    /// `123.4 ms`.
    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return value >= 100 ? String(format: "%.0f ms", value) : String(format: "%.1f ms", value)
    }

    /// `1,234`.
    static func count(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    /// `2026-05-01 12:00 UTC`.
    static func date(_ date: Date?) -> String {
        guard let date else { return "—" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// RFC 3339 for `<time datetime>`.
    static func isoDate(_ date: Date) -> String {
        RFC3339.format(date)
    }
}
