import Foundation

/// One point of a machine's combined curve.
public struct MachineCurvePoint: Sendable, Equatable, Codable {
    public var nurseryBytes: Int64
    /// Median over rounds of CPU time ÷ the same round's default-setting time (1.0 = as fast as
    /// PyPy's default, 0.9 = 10% less CPU time).
    public var relativeTime: Double
    /// Rounds that contributed.
    public var rounds: Int

    /// Creates a point.
    public init(nurseryBytes: Int64, relativeTime: Double, rounds: Int) {
        self.nurseryBytes = nurseryBytes
        self.relativeTime = relativeTime
        self.rounds = rounds
    }

    enum CodingKeys: String, CodingKey {
        case nurseryBytes = "nursery_bytes"
        case relativeTime = "relative_time"
        case rounds
    }
}

/// The estimated best nursery of a machine curve with its bootstrap interval.
public struct BestNursery: Sendable, Equatable, Codable {
    /// The measured setting with the lowest relative time.
    public var nurseryBytes: Int64
    public var relativeTime: Double
    /// Percentile interval of the bootstrap argmin (resampling rounds); nil with one round.
    public var intervalLowerBytes: Int64?
    public var intervalUpperBytes: Int64?
    /// Nominal coverage of the interval, e.g. 0.95.
    public var confidence: Double?

    /// Creates a best-nursery estimate.
    public init(
        nurseryBytes: Int64, relativeTime: Double, intervalLowerBytes: Int64?, intervalUpperBytes: Int64?,
        confidence: Double?
    ) {
        self.nurseryBytes = nurseryBytes
        self.relativeTime = relativeTime
        self.intervalLowerBytes = intervalLowerBytes
        self.intervalUpperBytes = intervalUpperBytes
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case nurseryBytes = "nursery_bytes"
        case relativeTime = "relative_time"
        case intervalLowerBytes = "interval_lower_bytes"
        case intervalUpperBytes = "interval_upper_bytes"
        case confidence
    }
}

/// What a machine's curve says, as pages and the recommendation read it: the points, the best
/// nursery with its interval, the flat set and the gain over PyPy's default. Computed from a
/// combined curve by CrowdspeedFit's `MachineCurveSummary.summarize`; stored as is.
public struct MachineCurveSummary: Sendable, Equatable, Codable {
    /// Submissions whose curves were combined.
    public var submissionCount: Int
    /// Rounds with a usable default-setting time, over all those submissions.
    public var roundCount: Int
    /// Where PyPy's default setting lies on the size axis, when known.
    public var defaultNurseryBytes: Int64?
    /// Ascending by size; the default setting itself is 1.0 by construction and not listed.
    public var points: [MachineCurvePoint]
    /// Nil when only default runs were measured.
    public var best: BestNursery?
    /// Every measured size within 2% of the best, ascending: the optimum is flat.
    public var flatSet: [Int64]
    /// True when PyPy's default is itself within 2% of the best.
    public var defaultInFlatSet: Bool
    /// T(default) / T(best) − 1: what the machine's own best saves over the default (≥ 0).
    public var gainOverDefault: Double?

    /// Creates a summary.
    public init(
        submissionCount: Int, roundCount: Int, defaultNurseryBytes: Int64?, points: [MachineCurvePoint],
        best: BestNursery?,
        flatSet: [Int64], defaultInFlatSet: Bool, gainOverDefault: Double?
    ) {
        self.submissionCount = submissionCount
        self.roundCount = roundCount
        self.defaultNurseryBytes = defaultNurseryBytes
        self.points = points
        self.best = best
        self.flatSet = flatSet
        self.defaultInFlatSet = defaultInFlatSet
        self.gainOverDefault = gainOverDefault
    }

    enum CodingKeys: String, CodingKey {
        case submissionCount = "submission_count"
        case roundCount = "round_count"
        case defaultNurseryBytes = "default_nursery_bytes"
        case points, best
        case flatSet = "flat_set"
        case defaultInFlatSet = "default_in_flat_set"
        case gainOverDefault = "gain_over_default"
    }
}

/// What a machine curve is keyed by: one machine, interpreter version, workload, process count
/// and `PYPY_GC_MIN` condition.
public struct MachineCurveKey: Sendable, Hashable, Codable {
    public var machineID: String
    public var implementation: String
    public var interpreterVersion: String
    public var benchmark: String
    public var benchmarkVersion: String
    public var procs: Int
    public var pypyGCMinPinned: Bool

    /// Creates a key.
    public init(
        machineID: String, implementation: String, interpreterVersion: String, benchmark: String,
        benchmarkVersion: String,
        procs: Int, pypyGCMinPinned: Bool
    ) {
        self.machineID = machineID
        self.implementation = implementation
        self.interpreterVersion = interpreterVersion
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.procs = procs
        self.pypyGCMinPinned = pypyGCMinPinned
    }

    enum CodingKeys: String, CodingKey {
        case machineID = "machine_id"
        case implementation
        case interpreterVersion = "interpreter_version"
        case benchmark
        case benchmarkVersion = "benchmark_version"
        case procs
        case pypyGCMinPinned = "pypy_gc_min_pinned"
    }
}

/// A machine curve as pages and APIs read it (public read model: the machine page and
/// `GET /api/v1/machines/{id}` show these; nothing reads raw samples).
public struct MachineCurve: Sendable, Equatable, Codable {
    public var key: MachineCurveKey
    public var summary: MachineCurveSummary
    /// When the summary was last rewritten (the newest contributing submission's receipt).
    public var updatedAt: Date

    /// Creates a machine curve.
    public init(key: MachineCurveKey, summary: MachineCurveSummary, updatedAt: Date) {
        self.key = key
        self.summary = summary
        self.updatedAt = updatedAt
    }

    /// Flattened on the wire: the key's fields and the summary's side by side.
    public func encode(to encoder: any Encoder) throws {
        try key.encode(to: encoder)
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(updatedAt, forKey: .updatedAt)
    }

    /// Reads the flattened form written by ``encode(to:)``.
    public init(from decoder: any Decoder) throws {
        key = try MachineCurveKey(from: decoder)
        summary = try MachineCurveSummary(from: decoder)
        updatedAt = try decoder.container(keyedBy: CodingKeys.self).decode(Date.self, forKey: .updatedAt)
    }

    enum CodingKeys: String, CodingKey {
        case updatedAt = "updated_at"
    }
}
