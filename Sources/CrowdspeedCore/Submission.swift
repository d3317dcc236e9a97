import Foundation

/// One agent run on one machine with one interpreter: the unit the server ingests atomically.
///
/// `id` is made by the agent and is the idempotency key: sending the same submission again
/// (after a lost response, from the spool) stores nothing twice.
public struct Submission: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var id: UUID
    public var createdAt: Date
    public var agent: AgentInfo
    public var source: SubmissionSource
    public var machine: MachineInfo
    public var interpreter: InterpreterInfo
    /// How the sweep was run (seed, rounds, environment in force). Optional so that imports of
    /// older mailing-list data, which have none of it, still fit the format.
    public var run: RunInfo?
    public var results: [BenchmarkResult]

    public init(
        schemaVersion: Int = WireCoding.schemaVersion, id: UUID, createdAt: Date, agent: AgentInfo,
        source: SubmissionSource, machine: MachineInfo, interpreter: InterpreterInfo, run: RunInfo? = nil,
        results: [BenchmarkResult]
    ) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.createdAt = createdAt
        self.agent = agent
        self.source = source
        self.machine = machine
        self.interpreter = interpreter
        self.run = run
        self.results = results
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case id
        case createdAt = "created_at"
        case agent, source, machine, interpreter, run, results
    }
}

/// The program that produced a submission.
public struct AgentInfo: Codable, Sendable, Equatable {
    public var name: String
    public var version: String
    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}

/// Where a submission's numbers come from. Synthetic data never enters formulas served for real machines.
public enum SubmissionSource: String, Codable, Sendable, CaseIterable {
    case agent, synthetic, `import`
}

/// The interpreter a submission's results were measured on.
public struct InterpreterInfo: Codable, Sendable, Equatable {
    /// `PyPy`, `CPython`, …
    public var implementation: String
    /// The implementation's own version, e.g. `7.3.11` for PyPy.
    public var version: String
    /// The Python language version, e.g. `3.9.16`.
    public var languageVersion: String
    /// The path the agent ran. Paths can hold a user name, so agents send a bare command name
    /// (`pypy3`) unless the user passed `--python`.
    public var executable: String

    public init(implementation: String, version: String, languageVersion: String, executable: String) {
        self.implementation = implementation
        self.version = version
        self.languageVersion = languageVersion
        self.executable = executable
    }

    enum CodingKeys: String, CodingKey {
        case implementation, version
        case languageVersion = "language_version"
        case executable
    }
}

/// How a sweep was run: what a reader needs to reproduce it or judge its design.
public struct RunInfo: Codable, Sendable, Equatable {
    /// Seed of the shuffled round order.
    public var seed: UInt64
    /// Measured rounds (the discarded warm-up round is not counted).
    public var rounds: Int
    /// Warm-up rounds that were run and discarded.
    public var warmupRounds: Int
    /// `PYPY_GC_MIN` as set in the agent's environment, or nil when unset (PyPy then uses 8 × nursery).
    public var pypyGCMin: String?
    /// Why the sweep stopped: `rounds`, `resolved`, `budget` or `interrupted`.
    public var stopReason: String?

    public init(seed: UInt64, rounds: Int, warmupRounds: Int, pypyGCMin: String? = nil, stopReason: String? = nil) {
        self.seed = seed
        self.rounds = rounds
        self.warmupRounds = warmupRounds
        self.pypyGCMin = pypyGCMin
        self.stopReason = stopReason
    }

    enum CodingKeys: String, CodingKey {
        case seed, rounds
        case warmupRounds = "warmup_rounds"
        case pypyGCMin = "pypy_gc_min"
        case stopReason = "stop_reason"
    }
}
