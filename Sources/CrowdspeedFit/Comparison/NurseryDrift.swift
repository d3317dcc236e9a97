import CrowdspeedCore
import Foundation

/// How the best nursery moved between two versions on one set of machines.
public struct NurseryDriftRow: Sendable, Equatable, Codable {
    /// nil for every machine, else one class.
    public var hardwareClass: HardwareClass?
    /// Machines with a curve in both versions (for at least one common process count).
    public var machines: Int
    /// Median over machines of log2(best in `to`) − log2(best in `from`): +1 means the best
    /// nursery doubled on the typical machine. NaN without machines.
    public var medianShiftLog2: Double
    /// Percentile bootstrap interval of the median over machines; NaN below two machines.
    public var lower: Double
    public var upper: Double
    /// Machines whose shift is at least half a power of two up, at least half down, or neither.
    public var up: Int
    public var down: Int
    public var unchanged: Int
    public var machineIDs: [String]

    public init(
        hardwareClass: HardwareClass?, machines: Int, medianShiftLog2: Double, lower: Double, upper: Double, up: Int,
        down: Int, unchanged: Int, machineIDs: [String]
    ) {
        self.hardwareClass = hardwareClass
        self.machines = machines
        self.medianShiftLog2 = medianShiftLog2
        self.lower = lower
        self.upper = upper
        self.up = up
        self.down = down
        self.unchanged = unchanged
        self.machineIDs = machineIDs
    }

    enum CodingKeys: String, CodingKey {
        case hardwareClass = "hardware_class"
        case machines
        case medianShiftLog2 = "median_shift_log2"
        case ci, up, down, unchanged
        case machineIDs = "machine_ids"
    }

    /// Decodes the API form (`hardware_class` text or null, `ci` [lo, hi] or null).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hardwareClass = try container.decodeIfPresent(String.self, forKey: .hardwareClass).map(
            HardwareClass.init(text:))
        machines = try container.decode(Int.self, forKey: .machines)
        medianShiftLog2 = try container.decodeIfPresent(Double.self, forKey: .medianShiftLog2) ?? .nan
        let ci = try container.decodeIfPresent([Double].self, forKey: .ci)
        if let ci, ci.count != 2 {
            throw DecodingError.dataCorruptedError(forKey: .ci, in: container, debugDescription: "ci has two bounds")
        }
        lower = ci?[0] ?? .nan
        upper = ci?[1] ?? .nan
        up = try container.decode(Int.self, forKey: .up)
        down = try container.decode(Int.self, forKey: .down)
        unchanged = try container.decode(Int.self, forKey: .unchanged)
        machineIDs = try container.decodeIfPresent([String].self, forKey: .machineIDs) ?? []
    }

    /// Encodes the API form; `hardware_class` is null for the overall row, NaN becomes null.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if let hardwareClass {
            try container.encode(hardwareClass.description, forKey: .hardwareClass)
        } else {
            try container.encodeNil(forKey: .hardwareClass)
        }
        try container.encode(machines, forKey: .machines)
        if medianShiftLog2.isFinite {
            try container.encode(medianShiftLog2, forKey: .medianShiftLog2)
        } else {
            try container.encodeNil(forKey: .medianShiftLog2)
        }
        if lower.isFinite && upper.isFinite {
            try container.encode([lower, upper], forKey: .ci)
        } else {
            try container.encodeNil(forKey: .ci)
        }
        try container.encode(up, forKey: .up)
        try container.encode(down, forKey: .down)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(machineIDs, forKey: .machineIDs)
    }
}

/// One machine curve's best nursery: the input of ``NurseryDrift/estimate(bests:from:to:replicates:confidence:using:)``.
public struct CurveBestNursery: Sendable, Hashable, Codable {
    public var machineID: String
    public var hardwareClass: HardwareClass
    public var interpreterVersion: String
    /// `gcbench@1`: curves of different workloads are never paired.
    public var workload: String
    public var procs: Int
    public var nurseryBytes: Int64

    public init(
        machineID: String, hardwareClass: HardwareClass, interpreterVersion: String, workload: String, procs: Int,
        nurseryBytes: Int64
    ) {
        self.machineID = machineID
        self.hardwareClass = hardwareClass
        self.interpreterVersion = interpreterVersion
        self.workload = workload
        self.procs = procs
        self.nurseryBytes = nurseryBytes
    }
}

/// The best nursery's movement between two versions, overall and per hardware class.
public struct NurseryDrift: Sendable, Equatable, Codable {
    public var from: String
    public var to: String
    /// The overall row first, then one per class (sorted).
    public var rows: [NurseryDriftRow]
    public var method: String

    public init(from: String, to: String, rows: [NurseryDriftRow], method: String) {
        self.from = from
        self.to = to
        self.rows = rows
        self.method = method
    }

    /// Estimates how the best nursery moved from version `from` to `to`.
    ///
    /// Per curve, the best nursery is the measured size with the lowest relative time (as on a
    /// machine's page). Per machine, the shift is log2(best in `to`) − log2(best in `from`) for
    /// each process count measured in both (curves of one version and process count repeated
    /// are averaged in log2 first), averaged over its process counts: one number per machine,
    /// so machines with more process counts do not weigh more. Per row, the median over machines
    /// (robust to the one-step jumps of flat curves) with a percentile bootstrap over machines.
    ///
    /// - Parameters:
    ///   - curves: gcbench curves, e.g. from ``FitInput``; only `from` and `to` are used, and a
    ///     curve is paired only with curves of the same workload.
    ///   - from: the older interpreter version.
    ///   - to: the newer one.
    ///   - replicates: bootstrap resamples per row (at least 1).
    ///   - confidence: nominal coverage of each interval.
    ///   - generator: the bootstrap's randomness, consumed row by row.
    /// - Returns: rows for every machine and for each class with at least one machine.
    public static func estimate(
        curves: [FitCurve], from: String, to: String, replicates: Int = 2000, confidence: Double = 0.95,
        using generator: inout SplitMix64
    ) -> NurseryDrift {
        let bests = curves.compactMap { curve -> CurveBestNursery? in
            guard curve.interpreterVersion == from || curve.interpreterVersion == to,
                let index = BestNurseryEstimator.argmin(curve.curve.relativeTime)
            else { return nil }
            return CurveBestNursery(
                machineID: curve.machineID, hardwareClass: curve.features.hardwareClass,
                interpreterVersion: curve.interpreterVersion, workload: curve.workload, procs: curve.features.procs,
                nurseryBytes: curve.curve.nurseries[index])
        }
        return estimate(
            bests: bests, from: from, to: to, replicates: replicates, confidence: confidence, using: &generator)
    }

    /// Estimates how the best nursery moved from `from` to `to` from each machine curve's best
    /// size already estimated (a server's stored curve summaries), by the same rule as
    /// ``estimate(curves:from:to:replicates:confidence:using:)``.
    public static func estimate(
        bests: [CurveBestNursery], from: String, to: String, replicates: Int = 2000, confidence: Double = 0.95,
        using generator: inout SplitMix64
    ) -> NurseryDrift {
        struct Slot: Hashable {
            var machineID: String
            var workload: String
            var procs: Int
        }
        var bestsBySlot: [Slot: (from: [Double], to: [Double])] = [:]
        var classes: [String: HardwareClass] = [:]
        for best in bests
        where (best.interpreterVersion == from || best.interpreterVersion == to) && best.nurseryBytes > 0 {
            let size = log2(Double(best.nurseryBytes))
            let slot = Slot(machineID: best.machineID, workload: best.workload, procs: best.procs)
            var entry = bestsBySlot[slot] ?? ([], [])
            if best.interpreterVersion == from { entry.from.append(size) } else { entry.to.append(size) }
            bestsBySlot[slot] = entry
            classes[best.machineID] = classes[best.machineID] ?? best.hardwareClass
        }
        var shiftsByMachine: [String: [Double]] = [:]
        for (slot, entry) in bestsBySlot where !entry.from.isEmpty && !entry.to.isEmpty {
            shiftsByMachine[slot.machineID, default: []].append(Stats.mean(entry.to) - Stats.mean(entry.from))
        }
        let machineIDs = shiftsByMachine.keys.sorted()
        let shift = Dictionary(uniqueKeysWithValues: machineIDs.map { ($0, Stats.mean(shiftsByMachine[$0] ?? [])) })
        var groups: [(HardwareClass?, [String])] = [(nil, machineIDs)]
        let present = Set(machineIDs.compactMap { classes[$0] }).sorted()
        for hardwareClass in present {
            groups.append((hardwareClass, machineIDs.filter { classes[$0] == hardwareClass }))
        }
        let c = confidence.isFinite ? min(1, max(0, confidence)) : 0.95
        let rows = groups.map { hardwareClass, ids in
            let values = ids.compactMap { shift[$0] }
            var lower = Double.nan
            var upper = Double.nan
            if values.count >= 2 {
                var medians = [Double](repeating: 0, count: max(1, replicates))
                var draw = [Double](repeating: 0, count: values.count)
                for replicate in medians.indices {
                    for index in draw.indices { draw[index] = values[generator.below(values.count)] }
                    medians[replicate] = Median.inPlace(&draw) ?? .nan
                }
                medians.sort()
                lower = Stats.quantileSorted(medians, (1 - c) / 2)
                upper = Stats.quantileSorted(medians, (1 + c) / 2)
            }
            return NurseryDriftRow(
                hardwareClass: hardwareClass, machines: values.count, medianShiftLog2: (Median.of(values) ?? .nan),
                lower: lower, upper: upper, up: values.filter { $0 >= 0.5 }.count,
                down: values.filter { $0 <= -0.5 }.count, unchanged: values.filter { abs($0) < 0.5 }.count,
                machineIDs: ids)
        }
        let method = """
            Per machine that measured both versions: log2 of the best measured nursery in \(to) minus that in \
            \(from), per process count, averaged over its process counts. Per row: median over machines, with a \
            \(String(format: "%g%%", 100 * c)) percentile bootstrap interval over machines \
            (\(max(1, replicates)) seeded resamples). Up/down: machines that moved by at least half a power of two.
            """
        return NurseryDrift(from: from, to: to, rows: rows, method: method)
    }
}
