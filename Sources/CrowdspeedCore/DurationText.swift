import Foundation

/// Durations as people type them on command lines and in environment variables: one or more
/// `<number><unit>` parts with units `ms`, `s`, `m`, `h` and `d` (`90s`, `20m`, `1h30m`,
/// `1.5h`, `1500ms`), or a bare number of seconds (`300`). The one parser of the server's
/// `--refit-interval` and the agent's `--budget`, so both accept the same spellings.
public enum DurationText {
    /// The duration `text` spells, or nil when it is not one (spaces inside, an unknown unit, a
    /// negative or non-finite number, more than 10⁹ seconds). Surrounding spaces are ignored.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        if let seconds = number(Substring(trimmed)) { return duration(seconds: seconds) }
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = number(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = units[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return duration(seconds: total)
    }

    /// Seconds per unit.
    private static let units: [String: Double] = ["ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86_400]

    /// A plain non-negative decimal number (digits and at most one point), nil otherwise.
    private static func number(_ text: Substring) -> Double? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(text), value.isFinite
        else { return nil }
        return value
    }

    private static func duration(seconds: Double) -> Duration? {
        guard seconds.isFinite, seconds >= 0, seconds <= 1e9 else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

extension Duration {
    /// The duration in seconds, with its fractional part.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
