import Foundation

/// The fast path of ``Submission/decode(from:)``: a strict reader over the body's UTF-8 bytes that
/// builds a ``Submission`` directly.
///
/// `JSONDecoder` spends most of its time on keyed containers and generic metadata lookups for
/// every field of every sample; with ~400 samples a body, that was a fifth of the server's CPU
/// under load. This reader knows the one shape of the wire format and reads it in one pass.
///
/// It is a fast path only. It answers nil for anything it cannot read with certainty exactly as
/// `JSONDecoder` (with ``WireCoding/makeDecoder()``) would, and the caller then decodes with
/// `JSONDecoder`, which also writes every error message. So it must never accept a body
/// `JSONDecoder` refuses nor read a value differently, but it may pass on bodies `JSONDecoder`
/// accepts: escapes in strings, non-ASCII keys, repeated keys, trailing commas, a byte-order
/// mark, `1.0` or `-0` for an integer, subnormal numbers, very long number tokens. Agents never
/// write those. `SubmissionFastDecoderTests` holds it to this against `JSONDecoder` on random and
/// mutated bodies.
///
/// Keys are the `CodingKeys` raw values of the wire types, spelled out again here; the tests fail
/// when the two drift apart (a missing key makes the fast path refuse an agent's body, a field it
/// does not know makes the decoded values differ).
package enum SubmissionFastDecoder {
    /// The submission in `data`, or nil when `data` must go through `JSONDecoder` instead.
    package static func decode(_ data: Data) -> Submission? {
        data.withUnsafeBytes { raw in
            var reader = WireReader(bytes: raw.assumingMemoryBound(to: UInt8.self))
            return try? reader.document()
        }
    }
}

/// Thrown inside ``WireReader`` when a body leaves the fast path; `decode` turns it into nil.
private struct LeavesFastPath: Error {}

/// A member's key: the raw bytes between its quotes (no escapes, ASCII only).
private struct MemberKey {
    let bytes: UnsafeBufferPointer<UInt8>

    /// Lets a `switch` over a key match string literals: `case "wall_ms":`.
    static func ~= (name: StaticString, key: MemberKey) -> Bool {
        key.bytes.count == name.utf8CodeUnitCount
            && memcmp(key.bytes.baseAddress!, name.utf8Start, key.bytes.count) == 0
    }
}

/// Which known keys of one object have been read.
///
/// `JSONDecoder` keeps the first of repeated keys; rather than depend on that, a repeated known
/// key leaves the fast path. (Repeated unknown keys are skipped by both alike.)
private struct SeenKeys {
    private var bits: UInt32 = 0

    mutating func mark(_ index: Int) throws(LeavesFastPath) {
        let bit = UInt32(1) << UInt32(index)
        guard bits & bit == 0 else { throw LeavesFastPath() }
        bits |= bit
    }
}

/// A number token that follows JSON's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
private struct NumberToken {
    var bytes: UnsafeBufferPointer<UInt8>
    var isNegative: Bool
    /// No fraction and no exponent.
    var isInteger: Bool
    /// Some digit before the exponent is not 0: the value is not zero.
    var hasNonzeroDigit: Bool
}

private enum ASCII {
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":"),
        comma = UInt8(ascii: ",")
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    static let minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+"), dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0"), nine = UInt8(ascii: "9"), lowerE = UInt8(ascii: "e"),
        upperE = UInt8(ascii: "E")
    static let lowerN = UInt8(ascii: "n"), lowerT = UInt8(ascii: "t"), lowerF = UInt8(ascii: "f")
}

/// A cursor over the body's bytes. Every read either consumes exactly one JSON value (or
/// punctuation) in the strict form the fast path accepts, or throws ``LeavesFastPath``.
private struct WireReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Punctuation

    /// The byte at the cursor, or 0 at the end. A 0 byte is never valid where this is read (JSON
    /// allows it nowhere outside strings, and inside them it must be escaped), so the end needs
    /// no separate case.
    var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    var isDigit: Bool { (ASCII.zero...ASCII.nine).contains(current) }

    /// JSON's four whitespace bytes, as `JSONDecoder` allows them (a form feed, say, it refuses).
    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func consume(_ byte: UInt8) throws(LeavesFastPath) {
        guard current == byte else { throw LeavesFastPath() }
        position += 1
    }

    /// Consumes `text` if the bytes at the cursor spell it.
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - position >= count,
            memcmp(bytes.baseAddress! + position, text.utf8Start, count) == 0
        else { return false }
        position += count
        return true
    }

    /// Reads `open` and tells whether a member or element follows; an empty object or array is
    /// consumed whole.
    mutating func containerStart(_ open: UInt8, closedBy close: UInt8) throws(LeavesFastPath) -> Bool {
        try consume(open)
        skipWhitespace()
        if current == close {
            position += 1
            return false
        }
        return true
    }

    /// After a member's or element's value: true when another follows, false once `close` is
    /// consumed. (A comma before `}` or `]`, which `JSONDecoder` tolerates, then fails in
    /// ``memberKey()`` or in reading the element.)
    mutating func containerNext(closedBy close: UInt8) throws(LeavesFastPath) -> Bool {
        skipWhitespace()
        switch current {
        case ASCII.comma:
            position += 1
            skipWhitespace()
            return true
        case close:
            position += 1
            return false
        default:
            throw LeavesFastPath()
        }
    }

    mutating func objectStart() throws(LeavesFastPath) -> Bool {
        try containerStart(ASCII.openBrace, closedBy: ASCII.closeBrace)
    }
    mutating func nextMember() throws(LeavesFastPath) -> Bool { try containerNext(closedBy: ASCII.closeBrace) }
    mutating func arrayStart() throws(LeavesFastPath) -> Bool {
        try containerStart(ASCII.openBracket, closedBy: ASCII.closeBracket)
    }
    mutating func nextElement() throws(LeavesFastPath) -> Bool { try containerNext(closedBy: ASCII.closeBracket) }

    /// Reads a member's key and its colon, leaving the cursor on the value.
    ///
    /// Only printable ASCII keys without escapes: `JSONDecoder` matches keys as Swift strings,
    /// which compare by Unicode canonical equivalence, and bytes would not.
    mutating func memberKey() throws(LeavesFastPath) -> MemberKey {
        try consume(ASCII.quote)
        let start = position
        while true {
            let byte = current
            if byte == ASCII.quote { break }
            // `byte >= 0x20` also stops the loop at the end of the body, where `current` is 0.
            guard byte >= 0x20, byte < 0x80, byte != ASCII.backslash else { throw LeavesFastPath() }
            position += 1
        }
        let key = MemberKey(bytes: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        position += 1
        skipWhitespace()
        try consume(ASCII.colon)
        skipWhitespace()
        return key
    }

    /// An array whose elements `element` reads.
    mutating func array<Element>(
        _ element: (inout WireReader) throws(LeavesFastPath) -> Element
    ) throws(LeavesFastPath) -> [Element] {
        var elements: [Element] = []
        var more = try arrayStart()
        while more {
            elements.append(try element(&self))
            more = try nextElement()
        }
        return elements
    }

    // MARK: Scalars

    /// A string's bytes between its quotes, and whether they are all ASCII. Escapes leave the
    /// fast path; so do raw control characters, which `JSONDecoder` refuses.
    mutating func stringBytes() throws(LeavesFastPath) -> (bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) {
        try consume(ASCII.quote)
        let start = position
        var isASCII = true
        while true {
            let byte = current
            if byte == ASCII.quote { break }
            // `byte >= 0x20` also stops the loop at the end of the body, where `current` is 0.
            guard byte >= 0x20, byte != ASCII.backslash else { throw LeavesFastPath() }
            if byte >= 0x80 { isASCII = false }
            position += 1
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
        position += 1
        return (text, isASCII)
    }

    /// A string; invalid UTF-8 (which `JSONDecoder` refuses) leaves the fast path.
    mutating func string() throws(LeavesFastPath) -> String {
        let (text, isASCII) = try stringBytes()
        if isASCII { return String(decoding: text, as: UTF8.self) }
        guard let string = String(validating: text, as: UTF8.self) else { throw LeavesFastPath() }
        return string
    }

    /// Consumes `null` if it is at the cursor: an optional's value is then nil, as with
    /// `decodeIfPresent`.
    mutating func null() -> Bool {
        current == ASCII.lowerN && literal("null")
    }

    mutating func bool() throws(LeavesFastPath) -> Bool {
        if literal("true") { return true }
        if literal("false") { return false }
        throw LeavesFastPath()
    }

    /// Scans a number token in JSON's grammar. What may follow it is checked by the caller's
    /// next read (`01` stops after `0`, and the `1` is then not a comma).
    mutating func number() throws(LeavesFastPath) -> NumberToken {
        let start = position
        let isNegative = current == ASCII.minus
        if isNegative { position += 1 }
        var hasNonzeroDigit = false
        switch current {
        case ASCII.zero:
            position += 1
        case ASCII.zero + 1...ASCII.nine:
            hasNonzeroDigit = true
            while isDigit { position += 1 }
        default:
            throw LeavesFastPath()
        }
        var isInteger = true
        if current == ASCII.dot {
            isInteger = false
            position += 1
            guard isDigit else { throw LeavesFastPath() }
            while isDigit {
                if current != ASCII.zero { hasNonzeroDigit = true }
                position += 1
            }
        }
        if current == ASCII.lowerE || current == ASCII.upperE {
            isInteger = false
            position += 1
            if current == ASCII.plus || current == ASCII.minus { position += 1 }
            guard isDigit else { throw LeavesFastPath() }
            while isDigit { position += 1 }
        }
        return NumberToken(
            bytes: UnsafeBufferPointer(rebasing: bytes[start..<position]), isNegative: isNegative,
            isInteger: isInteger, hasNonzeroDigit: hasNonzeroDigit)
    }

    /// The digits of an integer token as an unsigned magnitude. A fraction or an exponent
    /// (`JSONDecoder` reads `1.0` and `1e2` as integers), `-0` and overflow leave the fast path.
    private func magnitude(of token: NumberToken) throws(LeavesFastPath) -> UInt64 {
        guard token.isInteger, !(token.isNegative && !token.hasNonzeroDigit) else { throw LeavesFastPath() }
        var magnitude: UInt64 = 0
        for byte in token.bytes where byte != ASCII.minus {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - ASCII.zero))
            guard !overflow1, !overflow2 else { throw LeavesFastPath() }
            magnitude = sum
        }
        return magnitude
    }

    mutating func int64() throws(LeavesFastPath) -> Int64 {
        let token = try number()
        let magnitude = try magnitude(of: token)
        if token.isNegative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw LeavesFastPath() }
            return Int64(truncatingIfNeeded: 0 &- magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw LeavesFastPath() }
        return Int64(magnitude)
    }

    mutating func int() throws(LeavesFastPath) -> Int {
        guard let value = Int(exactly: try int64()) else { throw LeavesFastPath() }
        return value
    }

    mutating func uint64() throws(LeavesFastPath) -> UInt64 {
        let token = try number()
        guard !token.isNegative else { throw LeavesFastPath() }
        return try magnitude(of: token)
    }

    /// A double, parsed by the standard library from the exact token: correctly rounded, as
    /// Foundation's own parse is, so the bits agree.
    ///
    /// `JSONDecoder` refuses numbers that overflow to infinity or underflow to zero (`1e400`,
    /// `1e-400`); those, and subnormal results, leave the fast path. Tokens longer than any
    /// encoder writes do too.
    mutating func double() throws(LeavesFastPath) -> Double {
        let token = try number()
        guard token.bytes.count <= 40,
            let value = Double(String(decoding: token.bytes, as: UTF8.self)),
            value.isNormal || (value == 0 && !token.hasNonzeroDigit)
        else { throw LeavesFastPath() }
        return value
    }

    /// Skips the value of a key the wire types do not have, as `JSONDecoder` ignores it. The
    /// value must still be strict JSON (`JSONDecoder` parses the whole body first), and no
    /// deeper than a few levels.
    mutating func skipValue(depth: Int) throws(LeavesFastPath) {
        guard depth < 16 else { throw LeavesFastPath() }
        switch current {
        case ASCII.quote:
            let (text, isASCII) = try stringBytes()
            if !isASCII, String(validating: text, as: UTF8.self) == nil { throw LeavesFastPath() }
        case ASCII.openBrace:
            var more = try objectStart()
            while more {
                _ = try memberKey()
                try skipValue(depth: depth + 1)
                more = try nextMember()
            }
        case ASCII.openBracket:
            var more = try arrayStart()
            while more {
                try skipValue(depth: depth + 1)
                more = try nextElement()
            }
        case ASCII.lowerN:
            guard literal("null") else { throw LeavesFastPath() }
        case ASCII.lowerT, ASCII.lowerF:
            _ = try bool()
        default:
            _ = try number()
        }
    }
}

// MARK: - The wire types

extension WireReader {
    /// The whole body: one submission object, with only JSON whitespace around it.
    mutating func document() throws(LeavesFastPath) -> Submission {
        skipWhitespace()
        let submission = try submission()
        skipWhitespace()
        guard position == bytes.count else { throw LeavesFastPath() }
        return submission
    }

    mutating func submission() throws(LeavesFastPath) -> Submission {
        var schemaVersion: Int?
        var id: UUID?
        var createdAt: Date?
        var agent: AgentInfo?
        var source: SubmissionSource?
        var machine: MachineInfo?
        var interpreter: InterpreterInfo?
        var run: RunInfo?
        var results: [BenchmarkResult]?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "schema_version":
                try seen.mark(0)
                schemaVersion = try int()
            case "id":
                try seen.mark(1)
                id = UUID(uuidString: try string())
            case "created_at":
                try seen.mark(2)
                createdAt = RFC3339.parse(try string())
            case "agent":
                try seen.mark(3)
                agent = try agentInfo()
            case "source":
                try seen.mark(4)
                source = SubmissionSource(rawValue: try string())
            case "machine":
                try seen.mark(5)
                machine = try machineInfo()
            case "interpreter":
                try seen.mark(6)
                interpreter = try interpreterInfo()
            case "run":
                try seen.mark(7)
                run = try null() ? nil : runInfo()
            case "results":
                try seen.mark(8)
                results = try array { reader throws(LeavesFastPath) in try reader.benchmarkResult() }
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        // A missing key, or a value UUID, RFC3339 or the enum refused: JSONDecoder says which.
        guard let schemaVersion, let id, let createdAt, let agent, let source, let machine, let interpreter, let results
        else { throw LeavesFastPath() }
        return Submission(
            schemaVersion: schemaVersion, id: id, createdAt: createdAt, agent: agent, source: source, machine: machine,
            interpreter: interpreter, run: run, results: results)
    }

    mutating func agentInfo() throws(LeavesFastPath) -> AgentInfo {
        var name: String?
        var version: String?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "name":
                try seen.mark(0)
                name = try string()
            case "version":
                try seen.mark(1)
                version = try string()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let name, let version else { throw LeavesFastPath() }
        return AgentInfo(name: name, version: version)
    }

    mutating func interpreterInfo() throws(LeavesFastPath) -> InterpreterInfo {
        var implementation: String?
        var version: String?
        var languageVersion: String?
        var executable: String?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "implementation":
                try seen.mark(0)
                implementation = try string()
            case "version":
                try seen.mark(1)
                version = try string()
            case "language_version":
                try seen.mark(2)
                languageVersion = try string()
            case "executable":
                try seen.mark(3)
                executable = try string()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let implementation, let version, let languageVersion, let executable else { throw LeavesFastPath() }
        return InterpreterInfo(
            implementation: implementation, version: version, languageVersion: languageVersion, executable: executable)
    }

    mutating func runInfo() throws(LeavesFastPath) -> RunInfo {
        var seed: UInt64?
        var rounds: Int?
        var warmupRounds: Int?
        var pypyGCMin: String?
        var stopReason: String?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "seed":
                try seen.mark(0)
                seed = try uint64()
            case "rounds":
                try seen.mark(1)
                rounds = try int()
            case "warmup_rounds":
                try seen.mark(2)
                warmupRounds = try int()
            case "pypy_gc_min":
                try seen.mark(3)
                pypyGCMin = try null() ? nil : string()
            case "stop_reason":
                try seen.mark(4)
                stopReason = try null() ? nil : string()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let seed, let rounds, let warmupRounds else { throw LeavesFastPath() }
        return RunInfo(
            seed: seed, rounds: rounds, warmupRounds: warmupRounds, pypyGCMin: pypyGCMin, stopReason: stopReason)
    }

    mutating func machineInfo() throws(LeavesFastPath) -> MachineInfo {
        var arch: String?
        var os: String?
        var osVersion: String?
        var kernel: String?
        var cpuVendor: String?
        var cpuModel: String?
        var physicalCores: Int?
        var logicalCPUs: Int?
        var memoryBytes: Int64?
        var caches: [CacheInfo]?
        var cpuinfoCacheBytes: Int64?
        var virtualized: Bool?
        var cpuQuota: Double?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "arch":
                try seen.mark(0)
                arch = try string()
            case "os":
                try seen.mark(1)
                os = try string()
            case "os_version":
                try seen.mark(2)
                osVersion = try string()
            case "kernel":
                try seen.mark(3)
                kernel = try string()
            case "cpu_vendor":
                try seen.mark(4)
                cpuVendor = try string()
            case "cpu_model":
                try seen.mark(5)
                cpuModel = try string()
            case "physical_cores":
                try seen.mark(6)
                physicalCores = try int()
            case "logical_cpus":
                try seen.mark(7)
                logicalCPUs = try int()
            case "memory_bytes":
                try seen.mark(8)
                memoryBytes = try int64()
            case "caches":
                try seen.mark(9)
                caches = try array { reader throws(LeavesFastPath) in try reader.cacheInfo() }
            case "cpuinfo_cache_bytes":
                try seen.mark(10)
                cpuinfoCacheBytes = try null() ? nil : int64()
            case "virtualized":
                try seen.mark(11)
                virtualized = try bool()
            case "cpu_quota":
                try seen.mark(12)
                cpuQuota = try null() ? nil : double()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let arch, let os, let osVersion, let kernel, let cpuVendor, let cpuModel, let physicalCores,
            let logicalCPUs,
            let memoryBytes, let caches, let virtualized
        else { throw LeavesFastPath() }
        return MachineInfo(
            arch: arch, os: os, osVersion: osVersion, kernel: kernel, cpuVendor: cpuVendor, cpuModel: cpuModel,
            physicalCores: physicalCores, logicalCPUs: logicalCPUs, memoryBytes: memoryBytes, caches: caches,
            cpuinfoCacheBytes: cpuinfoCacheBytes, virtualized: virtualized, cpuQuota: cpuQuota)
    }

    mutating func cacheInfo() throws(LeavesFastPath) -> CacheInfo {
        var level: Int?
        var type: CacheType?
        var sizeBytes: Int64?
        var sharedBy: Int?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "level":
                try seen.mark(0)
                level = try int()
            case "type":
                try seen.mark(1)
                type = CacheType(rawValue: try string())
            case "size_bytes":
                try seen.mark(2)
                sizeBytes = try int64()
            case "shared_by":
                try seen.mark(3)
                sharedBy = try int()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let level, let type, let sizeBytes, let sharedBy else { throw LeavesFastPath() }
        return CacheInfo(level: level, type: type, sizeBytes: sizeBytes, sharedBy: sharedBy)
    }

    mutating func benchmarkResult() throws(LeavesFastPath) -> BenchmarkResult {
        var benchmark: String?
        var benchmarkVersion: String?
        var params: ResultParams?
        var unit: String?
        var samples: [Sample]?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "benchmark":
                try seen.mark(0)
                benchmark = try string()
            case "benchmark_version":
                try seen.mark(1)
                benchmarkVersion = try string()
            case "params":
                try seen.mark(2)
                params = try resultParams()
            case "unit":
                try seen.mark(3)
                unit = try string()
            case "samples":
                try seen.mark(4)
                samples = try array { reader throws(LeavesFastPath) in try reader.sample() }
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let benchmark, let benchmarkVersion, let params, let unit, let samples else { throw LeavesFastPath() }
        return BenchmarkResult(
            benchmark: benchmark, benchmarkVersion: benchmarkVersion, params: params, unit: unit, samples: samples)
    }

    mutating func resultParams() throws(LeavesFastPath) -> ResultParams {
        var params = ResultParams()
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "procs":
                try seen.mark(0)
                params.procs = try null() ? nil : int()
            case "nursery_bytes":
                try seen.mark(1)
                params.nurseryBytes = try null() ? nil : int64()
            case "payload":
                try seen.mark(2)
                params.payload = try null() ? nil : string()
            case "library":
                try seen.mark(3)
                params.library = try null() ? nil : string()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        return params
    }

    /// The hot loop: ~400 of these per body.
    mutating func sample() throws(LeavesFastPath) -> Sample {
        var wallMs: Double?
        var cpuMs: Double?
        var maxRSSBytes: Int64?
        var round: Int?
        var foreignLoad: Double?
        var noisy: Bool?
        var failed: Bool?
        var seen = SeenKeys()
        var more = try objectStart()
        while more {
            switch try memberKey() {
            case "cpu_ms":
                try seen.mark(0)
                cpuMs = try double()
            case "failed":
                try seen.mark(1)
                failed = try null() ? nil : bool()
            case "foreign_load":
                try seen.mark(2)
                foreignLoad = try double()
            case "max_rss_bytes":
                try seen.mark(3)
                maxRSSBytes = try int64()
            case "noisy":
                try seen.mark(4)
                noisy = try null() ? nil : bool()
            case "round":
                try seen.mark(5)
                round = try int()
            case "wall_ms":
                try seen.mark(6)
                wallMs = try double()
            default: try skipValue(depth: 0)
            }
            more = try nextMember()
        }
        guard let wallMs, let cpuMs, let maxRSSBytes, let round, let foreignLoad else { throw LeavesFastPath() }
        return Sample(
            wallMs: wallMs, cpuMs: cpuMs, maxRSSBytes: maxRSSBytes, round: round, foreignLoad: foreignLoad,
            noisy: noisy, failed: failed)
    }
}
