import CrowdspeedCore
import Foundation

/// What a comparison row concludes.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// `to` takes more CPU time: significant after the false-discovery control, the interval
    /// above 1 and the ratio at least 1 + threshold.
    case regression
    /// `to` takes less CPU time, by the mirror rule (ratio at most 1 / (1 + threshold)).
    case improvement
    /// Enough machines, and no change both significant and larger than the threshold.
    case noChange = "no_change"
    /// Fewer machines measured both sides than ``ComparisonSettings/minimumMachines``.
    case notEnoughData = "not_enough_data"
}

/// The knobs of a paired comparison; the defaults are what the API serves.
public struct ComparisonSettings: Sendable, Equatable, Codable {
    /// Smallest relative change worth a verdict (0.02: 2%). Changes below it are `no_change`
    /// even when significant: the crowd measures to a fraction of a percent on a common
    /// benchmark, far finer than anything a user would notice or a developer act on.
    public var practicalThreshold = 0.02
    /// Benjamini–Hochberg false-discovery rate across the rows of one comparison.
    public var falseDiscoveryRate = 0.05
    /// Changes up to this size (0.005: half a percent) are the null hypothesis of each row's
    /// test, not only a point 1.0: two runs of one machine weeks apart always differ a little
    /// (kernel, firmware, temperature), and with enough machines a point-null test flags that.
    /// Measured on the simulator, it also brings false alarms on unchanged versions from about
    /// the nominal 5% of comparisons down to about none (see the detection tests).
    public var negligibleChange = 0.005
    /// Coverage of each row's bootstrap interval.
    public var confidence = 0.95
    /// Fewest paired machines for a verdict (6). Below it the spread between machines, which
    /// both the interval and the t-test rest on, is too poorly known: with 5 degrees of
    /// freedom the t quantile is already 2.57 against 1.96, and a percentile bootstrap over
    /// fewer machines has far less than its nominal coverage.
    public var minimumMachines = 6
    /// Bootstrap resamples per row.
    public var replicates = 2000
    /// Whether rows per hardware class are added to the overall rows.
    public var perHardwareClass = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case practicalThreshold = "practical_threshold"
        case falseDiscoveryRate = "false_discovery_rate"
        case negligibleChange = "negligible_change"
        case confidence
        case minimumMachines = "minimum_machines"
        case replicates
        case perHardwareClass = "per_hardware_class"
    }
}

/// One row of a comparison: one benchmark key on one set of machines (all, or one class).
public struct ComparisonRow: Sendable, Equatable, Codable {
    public var benchmark: String
    public var benchmarkVersion: String
    public var params: ComparisonParams
    /// nil for the overall row (every machine), else the class its machines belong to.
    public var hardwareClass: HardwareClass?
    /// Machines that measured both sides.
    public var machines: Int
    /// Geometric mean over machines of to / from; > 1 means `to` takes more CPU time. NaN (null
    /// in JSON) without machines.
    public var ratio: Double
    /// Bootstrap interval of ``ratio``; NaN (`ci` null in JSON) below two machines.
    public var lower: Double
    public var upper: Double
    /// t-test p-value on the log ratios of "the ratio is within 1 ± ``ComparisonSettings/negligibleChange``"
    /// (see ``GeometricMeanEstimate/pValue(beyond:)``); NaN when the row is not tested (fewer
    /// than ``ComparisonSettings/minimumMachines``).
    public var pValue: Double
    /// Benjamini–Hochberg adjusted p-value over the comparison's tested rows; NaN when untested.
    public var adjustedPValue: Double
    public var verdict: Verdict
    /// The machines behind the row, sorted, so a page can link to them.
    public var machineIDs: [String]

    public init(
        benchmark: String, benchmarkVersion: String, params: ComparisonParams, hardwareClass: HardwareClass?,
        machines: Int, ratio: Double, lower: Double, upper: Double, pValue: Double, adjustedPValue: Double,
        verdict: Verdict, machineIDs: [String]
    ) {
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.params = params
        self.hardwareClass = hardwareClass
        self.machines = machines
        self.ratio = ratio
        self.lower = lower
        self.upper = upper
        self.pValue = pValue
        self.adjustedPValue = adjustedPValue
        self.verdict = verdict
        self.machineIDs = machineIDs
    }

    /// The row's key.
    public var key: BenchmarkKey {
        BenchmarkKey(benchmark: benchmark, benchmarkVersion: benchmarkVersion, params: params)
    }

    /// from / to: "× faster" when `to` is the candidate (PyPy against CPython); NaN without data.
    public var speedup: Double { 1 / ratio }

    /// The interval of ``speedup``: [1 / upper, 1 / lower].
    public var speedupInterval: (lower: Double, upper: Double) { (1 / upper, 1 / lower) }
}

extension ComparisonRow {
    enum CodingKeys: String, CodingKey {
        case benchmark
        case benchmarkVersion = "benchmark_version"
        case params
        case hardwareClass = "hardware_class"
        case machines, ratio, ci
        case pValue = "p_value"
        case adjustedPValue = "adjusted_p_value"
        case verdict
        case machineIDs = "machine_ids"
    }

    /// Decodes the API form: `hardware_class` as `arch/vendor` or null, `ci` as [lo, hi] or null,
    /// missing numbers as null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        benchmark = try container.decode(String.self, forKey: .benchmark)
        benchmarkVersion = try container.decode(String.self, forKey: .benchmarkVersion)
        params = try container.decode(ComparisonParams.self, forKey: .params)
        hardwareClass = try container.decodeIfPresent(String.self, forKey: .hardwareClass).map(
            HardwareClass.init(text:))
        machines = try container.decode(Int.self, forKey: .machines)
        ratio = try container.decodeIfPresent(Double.self, forKey: .ratio) ?? .nan
        let ci = try container.decodeIfPresent([Double].self, forKey: .ci)
        if let ci, ci.count != 2 {
            throw DecodingError.dataCorruptedError(forKey: .ci, in: container, debugDescription: "ci has two bounds")
        }
        lower = ci?[0] ?? .nan
        upper = ci?[1] ?? .nan
        pValue = try container.decodeIfPresent(Double.self, forKey: .pValue) ?? .nan
        adjustedPValue = try container.decodeIfPresent(Double.self, forKey: .adjustedPValue) ?? .nan
        verdict = try container.decode(Verdict.self, forKey: .verdict)
        machineIDs = try container.decodeIfPresent([String].self, forKey: .machineIDs) ?? []
    }

    /// Encodes the API form. `hardware_class` is always present (null for the overall row), as
    /// the API documents it; NaN numbers become null, since JSON has no NaN.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(benchmark, forKey: .benchmark)
        try container.encode(benchmarkVersion, forKey: .benchmarkVersion)
        try container.encode(params, forKey: .params)
        if let hardwareClass {
            try container.encode(hardwareClass.description, forKey: .hardwareClass)
        } else {
            try container.encodeNil(forKey: .hardwareClass)
        }
        try container.encode(machines, forKey: .machines)
        try Self.encodeNumber(ratio, forKey: .ratio, in: &container)
        if lower.isFinite && upper.isFinite {
            try container.encode([lower, upper], forKey: .ci)
        } else {
            try container.encodeNil(forKey: .ci)
        }
        try Self.encodeNumber(pValue, forKey: .pValue, in: &container)
        try Self.encodeNumber(adjustedPValue, forKey: .adjustedPValue, in: &container)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(machineIDs, forKey: .machineIDs)
    }

    private static func encodeNumber(
        _ value: Double, forKey key: CodingKeys, in container: inout KeyedEncodingContainer<CodingKeys>
    ) throws {
        if value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
    }
}

extension HardwareClass {
    /// Parses `arch/vendor` (the ``description`` form); text without a slash is an
    /// architecture with an empty vendor.
    public init(text: String) {
        if let slash = text.firstIndex(of: "/") {
            self.init(arch: String(text[..<slash]), cpuVendor: String(text[text.index(after: slash)...]))
        } else {
            self.init(arch: text, cpuVendor: "")
        }
    }
}

/// The rows of one comparison and how they were computed.
public struct PairedComparison: Sendable, Equatable, Codable {
    /// Per key (sorted), the overall row, then one row per hardware class (sorted).
    public var rows: [ComparisonRow]
    /// The method in plain words, for the API and the pages.
    public var method: String
    public var settings: ComparisonSettings

    public init(rows: [ComparisonRow], method: String, settings: ComparisonSettings) {
        self.rows = rows
        self.method = method
        self.settings = settings
    }

    /// Rows with a `regression` or `improvement` verdict.
    public var changes: [ComparisonRow] {
        rows.filter { $0.verdict == .regression || $0.verdict == .improvement }
    }
}

/// Paired comparisons: per key and set of machines, the geometric mean of per-machine ratios,
/// a bootstrap interval over machines, a t-test p-value, Benjamini–Hochberg across the rows
/// and a verdict.
public enum PairedComparator {
    /// Compares two sides on the machines that measured both.
    ///
    /// Guarantees: the same observations (in any order) and the same generator state give the
    /// same rows; every key with at least one observation has an overall row, and with
    /// ``ComparisonSettings/perHardwareClass`` one row per class present; the false-discovery
    /// control covers exactly the rows with a p-value (those with enough machines); a verdict
    /// of regression or improvement always has an interval that excludes 1 and a ratio beyond
    /// the practical threshold.
    ///
    /// - Parameters:
    ///   - observations: from ``PairedObservation/pair(_:from:to:benchmarks:)``; at most one per
    ///     (machine, key) is expected — repeated ones are reduced to their median ratio.
    ///   - settings: thresholds, rates and resamples.
    ///   - generator: the bootstrap's randomness, consumed row by row in row order.
    public static func compare(
        _ observations: [PairedObservation], settings: ComparisonSettings = ComparisonSettings(),
        using generator: inout SplitMix64
    ) -> PairedComparison {
        struct Cell: Hashable {
            var key: BenchmarkKey
            var hardwareClass: HardwareClass?
        }
        // Per cell, per machine: its ratios (one, unless the caller repeated a machine).
        var cells: [Cell: [String: [Double]]] = [:]
        for observation in observations {
            let ratio = observation.ratio
            guard ratio.isFinite else { continue }
            cells[Cell(key: observation.key, hardwareClass: nil), default: [:]][observation.machineID, default: []]
                .append(ratio)
            if settings.perHardwareClass {
                cells[Cell(key: observation.key, hardwareClass: observation.hardwareClass), default: [:]][
                    observation.machineID, default: []
                ].append(ratio)
            }
        }
        let order = cells.keys.sorted { a, b in
            if a.key != b.key { return a.key < b.key }
            switch (a.hardwareClass, b.hardwareClass) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x < y
            }
        }
        var rows: [ComparisonRow] = []
        rows.reserveCapacity(order.count)
        for cell in order {
            let byMachine = cells[cell] ?? [:]
            let machineIDs = byMachine.keys.sorted()
            let ratios = machineIDs.map { (Median.of(byMachine[$0] ?? []) ?? .nan) }
            let estimate = GeometricMean.estimate(
                ratios: ratios, replicates: settings.replicates, confidence: settings.confidence, using: &generator)
            let enough = estimate.count >= max(2, settings.minimumMachines)
            rows.append(
                ComparisonRow(
                    benchmark: cell.key.benchmark, benchmarkVersion: cell.key.benchmarkVersion,
                    params: cell.key.params, hardwareClass: cell.hardwareClass, machines: estimate.count,
                    ratio: estimate.ratio, lower: estimate.lower, upper: estimate.upper,
                    pValue: enough ? estimate.pValue(beyond: settings.negligibleChange) : .nan, adjustedPValue: .nan,
                    verdict: enough ? .noChange : .notEnoughData, machineIDs: machineIDs))
        }
        let control = MultipleTesting.benjaminiHochberg(rows.map(\.pValue), q: settings.falseDiscoveryRate)
        let up = 1 + max(0, settings.practicalThreshold)
        for index in rows.indices where !rows[index].pValue.isNaN {
            rows[index].adjustedPValue = control.adjusted[index]
            guard control.rejected[index] else { continue }
            let row = rows[index]
            if row.ratio >= up && row.lower > 1 {
                rows[index].verdict = .regression
            } else if row.ratio <= 1 / up && row.upper < 1 {
                rows[index].verdict = .improvement
            }
        }
        return PairedComparison(
            rows: rows, method: method(settings: settings, testedRows: control.tested), settings: settings)
    }

    /// The method in plain words, with the numbers actually used.
    public static func method(settings: ComparisonSettings, testedRows: Int) -> String {
        let percent = { (x: Double) in String(format: "%g%%", 100 * x) }
        return """
            Paired per machine: only machines that measured both sides count; each machine's figure is the \
            median CPU time of its samples (failed samples excluded). Ratio: geometric mean over machines of \
            to/from (above 1: to takes more CPU time). Interval: \(percent(settings.confidence)) percentile \
            bootstrap over machines, \(settings.replicates) seeded resamples. Test: one-sample t-test on the \
            log ratios of "the change is at most \(percent(settings.negligibleChange)) either way" (against the \
            nearer edge, two-sided); Benjamini–Hochberg at a false-discovery rate of \
            \(percent(settings.falseDiscoveryRate)) across the \(testedRows) rows with at least \
            \(settings.minimumMachines) machines. Verdict: regression when the row is significant after that \
            control, its interval lies above 1 and the ratio is at least \
            \(String(format: "%g", 1 + settings.practicalThreshold)) (a practical threshold of \
            \(percent(settings.practicalThreshold))); improvement by the mirror rule; no_change otherwise; \
            not_enough_data below \(settings.minimumMachines) machines.
            """
    }
}
