import Foundation

/// All samples of one benchmark at one parameter setting.
public struct BenchmarkResult: Codable, Sendable, Equatable {
    /// `gcbench`, `json.dumps`, `json.loads`.
    public var benchmark: String
    /// The workload script's version; part of every result's key, since a changed script
    /// measures something else.
    public var benchmarkVersion: String
    public var params: ResultParams
    /// Always `ms` in schema version 1.
    public var unit: String
    public var samples: [Sample]

    public init(
        benchmark: String, benchmarkVersion: String, params: ResultParams, unit: String = "ms", samples: [Sample]
    ) {
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.params = params
        self.unit = unit
        self.samples = samples
    }

    enum CodingKeys: String, CodingKey {
        case benchmark
        case benchmarkVersion = "benchmark_version"
        case params, unit, samples
    }
}

/// Well-known benchmark names.
public enum BenchmarkName {
    public static let gcbench = "gcbench"
    public static let jsonDumps = "json.dumps"
    public static let jsonLoads = "json.loads"
    public static let all: Set<String> = [gcbench, jsonDumps, jsonLoads]
}

/// The parameters of one result. gcbench uses `procs` and `nursery_bytes` (absent means the
/// interpreter's own default, the control); the JSON benchmarks use `payload` and `library`.
public struct ResultParams: Codable, Sendable, Equatable, Hashable {
    public var procs: Int?
    public var nurseryBytes: Int64?
    public var payload: String?
    public var library: String?

    public init(procs: Int? = nil, nurseryBytes: Int64? = nil, payload: String? = nil, library: String? = nil) {
        self.procs = procs
        self.nurseryBytes = nurseryBytes
        self.payload = payload
        self.library = library
    }

    enum CodingKeys: String, CodingKey {
        case procs
        case nurseryBytes = "nursery_bytes"
        case payload, library
    }

    /// A canonical text form used as part of the stored natural key (`procs=2,nursery=default`).
    public var canonicalKey: String {
        var parts: [String] = []
        if let procs { parts.append("procs=\(procs)") }
        if procs != nil || nurseryBytes != nil { parts.append("nursery=\(nurseryBytes.map(String.init) ?? "default")") }
        if let payload { parts.append("payload=\(payload)") }
        if let library { parts.append("library=\(library)") }
        return parts.joined(separator: ",")
    }
}

/// One timed run of a workload in a fresh process (or, for procs = k, one of k concurrent processes).
public struct Sample: Codable, Sendable, Equatable {
    public var wallMs: Double
    /// User + system CPU time from the child's rusage: the figure curves are built from, since on
    /// a shared machine it varies several times less than wall time.
    public var cpuMs: Double
    public var maxRSSBytes: Int64
    /// The measured round this sample belongs to (0-based; warm-up rounds are not sent).
    public var round: Int
    /// Share of the machine's CPU time spent on other work during the sample, 0…1.
    public var foreignLoad: Double
    /// Set by the agent when the foreign load made this sample unreliable; kept, not dropped.
    public var noisy: Bool?
    /// Set when the sample's process crashed or printed no result; its timings are then what
    /// was measured until it died and are excluded from fits.
    public var failed: Bool?

    public init(
        wallMs: Double, cpuMs: Double, maxRSSBytes: Int64, round: Int, foreignLoad: Double, noisy: Bool? = nil,
        failed: Bool? = nil
    ) {
        self.wallMs = wallMs
        self.cpuMs = cpuMs
        self.maxRSSBytes = maxRSSBytes
        self.round = round
        self.foreignLoad = foreignLoad
        self.noisy = noisy
        self.failed = failed
    }

    enum CodingKeys: String, CodingKey {
        case wallMs = "wall_ms"
        case cpuMs = "cpu_ms"
        case maxRSSBytes = "max_rss_bytes"
        case round
        case foreignLoad = "foreign_load"
        case noisy, failed
    }
}
