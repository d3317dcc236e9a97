import CrowdspeedCore
import Foundation

/// The formula families a default rule may come from, all readable enough for PyPy's `env.py`.
public enum FormulaFamily: String, Codable, Sendable, CaseIterable {
    /// nursery = c.
    case constant
    /// nursery = k × L2.
    case l2 = "k_l2"
    /// nursery = k × L3 / procs (L2 on machines without an L3).
    case l3PerProcs = "k_l3_per_procs"
    /// nursery = k × L3 / physical cores (L2 on machines without an L3).
    case l3PerCores = "k_l3_per_cores"
    /// log2 nursery = a + b1·log2 L2 + b2·log2 LLC + b3·[no L3] + b4·log2 cores + b5·log2 procs.
    case logLinear = "log_linear"
    /// No formula: keep the interpreter's own rule (``PyPyDefaultRule``).
    case pypyDefault = "pypy_default"

    /// The families that are fitted to data.
    public static let fitted: [FormulaFamily] = [.constant, .l2, .l3PerProcs, .l3PerCores, .logLinear]
}

/// Coefficients of the log-linear family, in log2 units.
public struct LogLinearCoefficients: Codable, Sendable, Equatable {
    public var intercept: Double
    public var log2L2: Double
    /// Applies to log2 of the last-level cache (L3, or L2 when there is none).
    public var log2LLC: Double
    /// Added when the machine has no L3: lets such machines sit off the L3 trend line.
    public var noL3: Double
    public var log2Cores: Double
    public var log2Procs: Double

    public init(intercept: Double, log2L2: Double, log2LLC: Double, noL3: Double, log2Cores: Double, log2Procs: Double)
    {
        self.intercept = intercept
        self.log2L2 = log2L2
        self.log2LLC = log2LLC
        self.noL3 = noL3
        self.log2Cores = log2Cores
        self.log2Procs = log2Procs
    }

    /// The coefficients as a vector in design-matrix order.
    var vector: [Double] { [intercept, log2L2, log2LLC, noL3, log2Cores, log2Procs] }

    init(vector v: [Double]) {
        self.init(intercept: v[0], log2L2: v[1], log2LLC: v[2], noL3: v[3], log2Cores: v[4], log2Procs: v[5])
    }
}

/// A nursery-size rule: a family with its parameters. Outputs are snapped to the nearest power of
/// two in log2 (ties up) and clamped to `minBytes…maxBytes`, so every answer is a size a person
/// would type (`8M`), and no input, however odd, yields an absurd nursery.
public struct Formula: Codable, Sendable, Equatable, CustomStringConvertible {
    public var family: FormulaFamily
    /// log2 of k for the scaled families; for ``FormulaFamily/constant``, log2 of the constant.
    public var log2Factor: Double
    /// Set for ``FormulaFamily/logLinear`` only.
    public var logLinear: LogLinearCoefficients?
    public var minBytes: Int64
    public var maxBytes: Int64

    /// The default clamp: 64 KiB … 1 GiB.
    public static let defaultRange: ClosedRange<Int64> = (64 << 10)...(1 << 30)

    /// A formula of a one-parameter family.
    public init(family: FormulaFamily, log2Factor: Double, range: ClosedRange<Int64> = Formula.defaultRange) {
        self.family = family
        self.log2Factor = log2Factor.isFinite ? log2Factor : 0
        self.logLinear = nil
        self.minBytes = max(1, range.lowerBound)
        self.maxBytes = max(self.minBytes, range.upperBound)
    }

    /// A log-linear formula.
    public init(logLinear coefficients: LogLinearCoefficients, range: ClosedRange<Int64> = Formula.defaultRange) {
        self.init(family: .logLinear, log2Factor: 0, range: range)
        self.logLinear = coefficients
    }

    /// nursery = `bytes` (snapped and clamped like every formula).
    public static func constant(_ bytes: Int64) -> Formula {
        Formula(family: .constant, log2Factor: log2(Double(max(1, bytes))))
    }

    /// Keep the interpreter's own rule.
    public static let pypyDefault = Formula(family: .pypyDefault, log2Factor: 0)

    /// The nursery this formula recommends.
    ///
    /// - Parameters:
    ///   - features: the machine and process count.
    ///   - pypyVersion: used by ``FormulaFamily/pypyDefault`` only.
    /// - Returns: a power of two within `minBytes…maxBytes` (for `pypyDefault`, PyPy's own
    ///   unsnapped answer).
    public func predict(_ features: MachineFeatures, pypyVersion: String? = nil) -> Int64 {
        if family == .pypyDefault { return PyPyDefaultRule.nurseryBytes(version: pypyVersion, features: features) }
        return Int64(1) << Int64(predictLog2(FeatureRow(features)))
    }

    /// The snapped, clamped log2 of the prediction (an integer-valued double). Not meaningful for
    /// `pypyDefault`, which the fit handles through the measured control.
    func predictLog2(_ row: FeatureRow) -> Double {
        predictLog2(row, low: log2(Double(minBytes)).rounded(.up), high: log2(Double(maxBytes)).rounded(.down))
    }

    /// ``predictLog2(_:)`` with the clamp exponents precomputed (hot loops).
    @inline(__always)
    func predictLog2(_ row: FeatureRow, low: Double, high: Double) -> Double {
        let raw: Double
        switch family {
        case .constant: raw = log2Factor
        case .l2: raw = log2Factor + row.log2L2
        case .l3PerProcs: raw = log2Factor + row.log2LLC - row.log2Procs
        case .l3PerCores: raw = log2Factor + row.log2LLC - row.log2Cores
        case .logLinear:
            let c =
                logLinear
                ?? LogLinearCoefficients(intercept: 22, log2L2: 0, log2LLC: 0, noL3: 0, log2Cores: 0, log2Procs: 0)
            raw =
                c.intercept + c.log2L2 * row.log2L2 + c.log2LLC * row.log2LLC + c.noL3 * row.noL3
                + c.log2Cores * row.log2Cores + c.log2Procs * row.log2Procs
        case .pypyDefault: raw = 22
        }
        return Self.snap(raw, min: low, max: high)
    }

    /// Nearest integer (ties up) clamped to `min…max`; NaN goes to `max(min, 22)` ≈ 4M, PyPy's
    /// fallback, rather than to an arbitrary end.
    static func snap(_ log2Value: Double, min low: Double, max high: Double) -> Double {
        guard log2Value.isFinite else { return Swift.min(high, Swift.max(low, 22)) }
        return Swift.min(high, Swift.max(low, log2Value.rounded(.toNearestOrAwayFromZero)))
    }

    /// One line for people, e.g. `nursery = 0.5 × L3 / procs, snapped to 2^k in 64K…1G`.
    public var description: String {
        let tail = ", snapped to 2^k in \(NurserySize.format(minBytes))…\(NurserySize.format(maxBytes))"
        let k = Self.formatFactor(log2Factor)
        switch family {
        case .constant:
            return "nursery = \(NurserySize.format(Int64(1) << Int64(Self.snap(log2Factor, min: 0, max: 62))))"
        case .l2: return "nursery = \(k) × L2" + tail
        case .l3PerProcs: return "nursery = \(k) × L3 / procs (L2 when no L3)" + tail
        case .l3PerCores: return "nursery = \(k) × L3 / cores (L2 when no L3)" + tail
        case .logLinear:
            let c =
                logLinear
                ?? LogLinearCoefficients(intercept: 0, log2L2: 0, log2LLC: 0, noL3: 0, log2Cores: 0, log2Procs: 0)
            func term(_ value: Double, _ name: String) -> String {
                (value < 0 ? " − " : " + ") + Self.fixed(abs(value)) + "·" + name
            }
            return "log2 nursery = " + Self.fixed(c.intercept) + term(c.log2L2, "log2 L2") + term(c.log2LLC, "log2 L3")
                + term(c.noL3, "[no L3]") + term(c.log2Cores, "log2 cores") + term(c.log2Procs, "log2 procs")
                + " (L3 := L2 when none)" + tail
        case .pypyDefault: return "PyPy's own default rule"
        }
    }

    /// A Python function for PyPy's `rpython/memory/gc/env.py` computing this formula's nursery
    /// from the L2 and L3 sizes in bytes (`l3 = 0` when there is none), physical cores and
    /// processes. Uses only arithmetic and, for the log-linear family, `math.log`.
    ///
    /// - Parameter name: the Python function's name.
    public func pythonSnippet(name: String = "crowdspeed_nursery_size") -> String {
        var lines = [
            "def \(name)(l2, l3, cores, procs):",
            "    \"\"\"\(description.replacingOccurrences(of: "\"", with: "'")).",
            "    Fitted by Crowdspeed. Sizes in bytes; l3 = 0 when the machine has none.\"\"\"",
        ]
        switch family {
        case .pypyDefault:
            lines.append("    return -1  # keep PyPy's own estimate")
            return lines.joined(separator: "\n") + "\n"
        case .constant:
            lines.append("    n = \(Self.pythonFloat(exp2(log2Factor)))")
        case .l2:
            lines.append("    n = \(Self.pythonFloat(exp2(log2Factor))) * l2")
        case .l3PerProcs:
            lines.append("    llc = l3 if l3 > 0 else l2")
            lines.append("    n = \(Self.pythonFloat(exp2(log2Factor))) * llc / max(procs, 1)")
        case .l3PerCores:
            lines.append("    llc = l3 if l3 > 0 else l2")
            lines.append("    n = \(Self.pythonFloat(exp2(log2Factor))) * llc / max(cores, 1)")
        case .logLinear:
            let c =
                logLinear
                ?? LogLinearCoefficients(intercept: 22, log2L2: 0, log2LLC: 0, noL3: 0, log2Cores: 0, log2Procs: 0)
            lines += [
                "    import math",
                "    llc = l3 if l3 > 0 else l2",
                "    e = (\(Self.pythonFloat(c.intercept))",
                "         + \(Self.pythonFloat(c.log2L2)) * math.log(max(l2, 1), 2)",
                "         + \(Self.pythonFloat(c.log2LLC)) * math.log(max(llc, 1), 2)",
                "         + (\(Self.pythonFloat(c.noL3)) if l3 <= 0 else 0.0)",
                "         + \(Self.pythonFloat(c.log2Cores)) * math.log(max(cores, 1), 2)",
                "         + \(Self.pythonFloat(c.log2Procs)) * math.log(max(procs, 1), 2))",
                "    n = 2.0 ** e",
            ]
        }
        let low = Int64(1) << Int64(log2(Double(minBytes)).rounded(.up))
        let high = Int64(1) << Int64(log2(Double(maxBytes)).rounded(.down))
        lines += [
            "    # nearest power of two in log2 (ties up), clamped to \(NurserySize.format(low))..\(NurserySize.format(high))",
            "    p = \(low)",
            "    if n <= p:",
            "        return p",
            "    while p * 2 <= n and p < \(high):",
            "        p *= 2",
            "    if p < \(high) and n * n >= 2.0 * p * p:",
            "        p *= 2",
            "    return p",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// k = 2^log2k for people: exact powers of two as decimals (0.25, 4), others to 3 figures.
    static func formatFactor(_ log2k: Double) -> String {
        let k = exp2(log2k)
        if log2k == log2k.rounded(), abs(log2k) <= 10 { return trimmed(String(format: "%.10f", k)) }
        return String(format: "%.3g", k)
    }

    static func fixed(_ value: Double) -> String { String(format: "%.3f", value) }

    /// A Python float literal with enough digits to round-trip.
    static func pythonFloat(_ value: Double) -> String {
        guard value.isFinite else { return "0.0" }
        let text = "\(value)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result
    }
}

/// The numeric view of ``MachineFeatures`` the fit's inner loops read.
struct FeatureRow: Sendable, Equatable {
    var log2L2: Double
    var log2LLC: Double
    /// 1 when the machine has no L3, else 0.
    var noL3: Double
    var log2Cores: Double
    var log2Procs: Double

    init(_ features: MachineFeatures) {
        log2L2 = log2(Double(features.l2Bytes))
        log2LLC = log2(Double(features.lastLevelCacheBytes))
        noL3 = features.l3Bytes == nil ? 1 : 0
        log2Cores = log2(Double(features.physicalCores))
        log2Procs = log2(Double(features.procs))
    }
}
