import Foundation

/// `PYPY_GC_NURSERY` values, read exactly as PyPy's `rpython/memory/gc/env.py` reads them and
/// written in the shortest form PyPy reads back to the same number.
public enum NurserySize {
    /// Parses a `PYPY_GC_NURSERY` value the way PyPy does: an optional trailing `b`/`B` is dropped
    /// (when something precedes it), then an optional `k`/`m`/`g` factor of 1024ⁿ, then a float;
    /// the result is `Int(value × factor)`, truncated toward zero.
    ///
    /// - Returns: the size in bytes, or nil when PyPy would treat the variable as unset (empty,
    ///   unparseable, not finite, or not above zero — PyPy then falls back to its default).
    public static func parse(_ text: String) -> Int64? {
        var value = Substring(text)
        if value.count > 1, let last = value.last, last == "b" || last == "B" {
            value = value.dropLast()
        }
        guard let last = value.last else { return nil }
        let factor: Double
        switch last {
        case "k", "K": factor = 1024
        case "m", "M": factor = 1024 * 1024
        case "g", "G": factor = 1024 * 1024 * 1024
        default: factor = 1
        }
        let number = factor == 1 ? value : value.dropLast()
        guard let parsed = parsePythonFloat(number) else { return nil }
        let bytes = (parsed * factor).rounded(.towardZero)
        guard bytes.isFinite, bytes >= 1, bytes < 0x1p62 else { return nil }
        return Int64(bytes)
    }

    /// Formats a byte count as PyPy reads it: `8M`, `256K`, `1G` when exact, else plain bytes.
    public static func format(_ bytes: Int64) -> String {
        let units: [(Int64, String)] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")]
        for (size, suffix) in units where bytes >= size && bytes % size == 0 {
            return "\(bytes / size)\(suffix)"
        }
        return "\(bytes)"
    }

    /// The agent's full sweep: powers of two from 256K to 64M. What an agent sweeps without a
    /// plan, and what the server's plan falls back to before the first formula.
    public static let sweepGrid: [Int64] = (18...26).map { Int64(1) << Int64($0) }

    /// The power of two nearest to `bytes` in log2 (ties go up), used to snap formula outputs.
    public static func snapToPowerOfTwo(_ bytes: Double) -> Int64 {
        guard bytes.isFinite, bytes > 1 else { return 1 }
        let exponent = min(62, max(0, log2(bytes).rounded(.toNearestOrAwayFromZero)))
        return Int64(1) << Int64(exponent)
    }

    /// Python's `float()` grammar: surrounding whitespace, a sign, digits with single underscores
    /// between them, an optional fraction and exponent. `inf`/`nan` parse in Python but make
    /// PyPy's `int()` fail, so they count as unparseable here.
    static func parsePythonFloat(_ text: Substring) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        var digits = ""
        var previous: Character = " "
        var seenDigit = false
        for character in trimmed {
            switch character {
            case "0"..."9":
                digits.append(character)
                seenDigit = true
            case "_":
                // Python allows one underscore between two digits only.
                guard previous.isASCII, previous.isNumber else { return nil }
            case "+", "-", ".", "e", "E":
                if previous == "_" { return nil }
                digits.append(character)
            default:
                return nil
            }
            previous = character
        }
        guard seenDigit, previous != "_" else { return nil }
        // What is left is ASCII sign/digits/point/exponent; Double's own parser rejects misplaced ones.
        guard let value = Double(digits), value.isFinite else { return nil }
        return value
    }
}
