import Foundation

/// What `crowdspeed-agent verify` reports: PyPy's default against one nursery size in interleaved
/// rounds on one machine, and the gain the size realized. Posted to `/api/v1/verifications`.
///
/// `id` is made by the agent and is the idempotency key, as for submissions: the same id with
/// the same content is stored once, the same id with other content is refused.
public struct Verification: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var id: UUID
    public var createdAt: Date
    public var agent: AgentInfo
    /// The machine's id (``MachineInfo/machineID``); the server must already know the machine.
    public var machineID: String
    /// PyPy's own version, e.g. `7.3.11`.
    public var pypyVersion: String
    /// Concurrent PyPy processes per sample.
    public var procs: Int
    /// The size verified against the default.
    public var nurseryBytes: Int64
    /// What PyPy picks by itself on this machine, as the server's answer stated it; nil when the
    /// size came from `--nursery` (the agent then has no answer to read it from).
    public var defaultNurseryBytes: Int64?
    /// Where the size came from.
    public var sizeSource: SizeSource
    /// Seed of the shuffled round order.
    public var seed: UInt64
    /// Measured rounds asked for (after the warm-up).
    public var rounds: Int
    /// Samples that crashed or printed no result (their rounds are left out).
    public var failedSamples: Int
    /// Per measured round with both points usable: T(default) / T(size) − 1.
    public var roundGains: [Double]
    /// The median of ``roundGains`` (0.1 = the size took 10% less CPU time than the default).
    public var gain: Double
    /// Percentile bootstrap interval of the median; nil with fewer than two rounds.
    public var gainLower: Double?
    public var gainUpper: Double?
    /// Nominal coverage of the interval.
    public var confidence: Double

    /// Creates the document.
    public init(
        schemaVersion: Int = WireCoding.schemaVersion, id: UUID, createdAt: Date, agent: AgentInfo,
        machineID: String, pypyVersion: String, procs: Int, nurseryBytes: Int64, defaultNurseryBytes: Int64?,
        sizeSource: SizeSource, seed: UInt64, rounds: Int, failedSamples: Int, roundGains: [Double], gain: Double,
        gainLower: Double?, gainUpper: Double?, confidence: Double
    ) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.createdAt = createdAt
        self.agent = agent
        self.machineID = machineID
        self.pypyVersion = pypyVersion
        self.procs = procs
        self.nurseryBytes = nurseryBytes
        self.defaultNurseryBytes = defaultNurseryBytes
        self.sizeSource = sizeSource
        self.seed = seed
        self.rounds = rounds
        self.failedSamples = failedSamples
        self.roundGains = roundGains
        self.gain = gain
        self.gainLower = gainLower
        self.gainUpper = gainUpper
        self.confidence = confidence
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case id
        case createdAt = "created_at"
        case agent
        case machineID = "machine_id"
        case pypyVersion = "pypy_version"
        case procs
        case nurseryBytes = "nursery_bytes"
        case defaultNurseryBytes = "default_nursery_bytes"
        case sizeSource = "size_source"
        case seed, rounds
        case failedSamples = "failed_samples"
        case roundGains = "round_gains"
        case gain
        case gainLower = "gain_lower"
        case gainUpper = "gain_upper"
        case confidence
    }

    /// Where a verified size came from.
    public struct SizeSource: Codable, Sendable, Equatable {
        /// `formula` (the served formula's answer), `measured` (the machine's own curve) or
        /// `nursery` (the volunteer's `--nursery`).
        public var kind: Kind
        /// The formula version the server's answer named (for `formula`, the one whose size this is).
        public var formulaVersion: Int?
        /// The expected gain the server's answer gave for this size, nil for `nursery`.
        public var predictedGain: Double?

        /// The kinds of source.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case formula, measured, nursery
        }

        /// Creates the document.
        public init(kind: Kind, formulaVersion: Int?, predictedGain: Double?) {
            self.kind = kind
            self.formulaVersion = formulaVersion
            self.predictedGain = predictedGain
        }

        enum CodingKeys: String, CodingKey {
            case kind
            case formulaVersion = "formula_version"
            case predictedGain = "predicted_gain"
        }
    }
}

/// The answer to `POST /api/v1/verifications`: 201 `created` or 200 `duplicate`.
public struct VerificationReceipt: Codable, Sendable, Equatable {
    public var id: UUID
    public var machineID: String
    public var status: String
    public var links: [String: String]

    /// Creates the receipt.
    public init(id: UUID, machineID: String, status: String, links: [String: String]) {
        self.id = id
        self.machineID = machineID
        self.status = status
        self.links = links
    }

    enum CodingKeys: String, CodingKey {
        case id
        case machineID = "machine_id"
        case status, links
    }
}
