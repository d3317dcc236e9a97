import CrowdspeedCore
import Foundation
import Testing

/// The fast path of `Submission.decode(from:)` against `JSONDecoder`, its reference: on every body
/// it either passes (nil) or gives exactly `JSONDecoder`'s value, doubles bit for bit; it passes on
/// every body `JSONDecoder` refuses; and it does not pass on the bodies agents write.
@Suite("Fast submission decoder")
struct SubmissionFastDecoderTests {
    @Test("agent-encoded bodies, compact and pretty, take the fast path and decode as JSONDecoder does")
    func agentBodies() throws {
        for pretty in [false, true] {
            let body = try WireCoding.makeEncoder(pretty: pretty).encode(SubmissionFixture.make())
            let fast = try #require(Self.compare(body))
            #expect(fast == SubmissionFixture.make())
        }
    }

    @Test("random valid submissions agree with JSONDecoder", arguments: [UInt64(1), 2, 3, 4])
    func randomSubmissions(seed: UInt64) throws {
        var generator = RandomSubmission(seed: seed)
        var fastCount = 0
        for index in 0..<250 {
            generator.leavesFastPath = false
            let submission = generator.make()
            let body = try WireCoding.makeEncoder(pretty: index % 3 == 0).encode(submission)
            let fast = Self.compare(body)
            if !generator.leavesFastPath {
                #expect(
                    fast != nil,
                    "an agent body left the fast path: \(String(decoding: body.prefix(400), as: UTF8.self))")
                fastCount += 1
            }
        }
        #expect(fastCount > 100)
    }

    @Test(
        "mutated bodies: the fast path never accepts what JSONDecoder refuses, nor reads a value differently",
        arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func mutations(seed: UInt64) throws {
        var mutator = Mutator(seed: seed)
        var generator = RandomSubmission(seed: seed &+ 1000)
        let fixture = try WireCoding.makeEncoder().encode(SubmissionFixture.make())
        let pretty = try WireCoding.makeEncoder(pretty: true).encode(SubmissionFixture.make())
        var fastAccepted = 0
        var refused = 0
        for index in 0..<600 {
            let valid: Data
            switch index % 3 {
            case 0: valid = fixture
            case 1: valid = pretty
            default: valid = try WireCoding.makeEncoder().encode(generator.make())
            }
            let body = mutator.mutate(valid)
            if Self.compare(body) != nil { fastAccepted += 1 }
            if Self.reference(body) == nil { refused += 1 }
            try Self.expectUnchangedDecode(body)
        }
        // Both outcomes occur, or the mutations test nothing.
        #expect(fastAccepted > 0 && refused > 0, "fast \(fastAccepted), refused \(refused)")
    }

    @Test("numbers at every edge, in every kind of numeric field")
    func numberEdges() throws {
        let tokens = [
            "0", "-0", "0.0", "-0.0", "1", "-1", "1.0", "1e2", "1E2", "1e+2", "1e-2", "1e-05", "01", "-01", "00", ".5",
            "5.",
            "1.5e", "+1", "-", "1e400", "-1e400", "1e-400", "-1e-400", "4.9e-324", "1e-320", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "1.7976931348623157e308", "1.7976931348623159e308", "0.30000000000000004",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "18446744073709551616", "123456789012345678901234567890",
            "0.1000000000000000055511151231257827021181583404541015625", "NaN", "Infinity", "-Infinity", "null", "true",
            "\"1\"", "[]", "{}", "0x10", "1_000", "1 2", "12a",
        ]
        let fixture = String(decoding: try SubmissionFixture.json(), as: UTF8.self)
        // Each field holds its type's kind of number: Double, Int64, Int, UInt64, optional Double, optional Int64.
        let sites = [
            ("\"cpu_ms\":790.125", "\"cpu_ms\":%@"), ("\"max_rss_bytes\":61440000", "\"max_rss_bytes\":%@"),
            ("\"round\":0", "\"round\":%@"), ("\"seed\":42", "\"seed\":%@"),
            ("\"schema_version\":1", "\"schema_version\":%@"),
            ("\"cpu_vendor\"", "\"cpu_quota\":%@,\"cpu_vendor\""),
            ("\"cpuinfo_cache_bytes\":524288", "\"cpuinfo_cache_bytes\":%@"),
            ("{\"cpu_ms\"", "{\"noisy\":%@,\"cpu_ms\""), ("\"procs\":1", "\"procs\":%@"),
        ]
        var fast = 0
        for (original, template) in sites {
            for token in tokens {
                let body = Self.replacingFirst(
                    original, with: template.replacingOccurrences(of: "%@", with: token), in: fixture)
                if Self.compare(body) != nil { fast += 1 }
                try Self.expectUnchangedDecode(body)
            }
        }
        // Plain numbers stay on the fast path: -0.0 as a double (its sign kept), 1e2 as a double.
        let negativeZero = try #require(
            Self.compare(Self.replacingFirst("\"cpu_ms\":790.125", with: "\"cpu_ms\":-0.0", in: fixture)))
        #expect(negativeZero.results[0].samples[0].cpuMs.bitPattern == (-0.0 as Double).bitPattern)
        #expect(Self.compare(Self.replacingFirst("\"cpu_ms\":790.125", with: "\"cpu_ms\":1e2", in: fixture)) != nil)
        #expect(
            Self.compare(Self.replacingFirst("\"seed\":42", with: "\"seed\":18446744073709551615", in: fixture))?.run?
                .seed == .max)
        #expect(fast > 20)
    }

    @Test("whitespace, unknown keys, repeated keys, escapes, commas and encodings")
    func structure() throws {
        let fixture = String(decoding: try SubmissionFixture.json(), as: UTF8.self)
        let createdAt = "\"created_at\":\"\(RFC3339.format(SubmissionFixture.createdAt))\""
        // (found, replaced by, whether the fast path must read it: nil when either answer is fine)
        let replacements: [(String, String, Bool?)] = [
            (
                "{\"agent\"", "{\"extra\":{\"a\":[1,2.5e3,{\"b\":null}],\"c\":\"ü\",\"d\":[true,false,\"\"]},\"agent\"",
                true
            ),
            ("{\"agent\"", "{\"extra\":\"\u{01}raw control\",\"agent\"", nil),
            ("{\"agent\"", "{\"extra\":01,\"agent\"", nil),
            ("{\"agent\"", "{\"extra\":1e400,\"agent\"", nil),
            ("{\"agent\"", "{\"extra\":\"\\u0041\",\"agent\"", nil),
            (
                "{\"agent\"",
                "{\"extra\":\(String(repeating: "[", count: 10))\(String(repeating: "]", count: 10)),\"agent\"", true
            ),
            (
                "{\"agent\"",
                "{\"extra\":\(String(repeating: "[", count: 600))\(String(repeating: "]", count: 600)),\"agent\"", nil
            ),
            ("{\"agent\"", "{\"extra\":[1,],\"agent\"", nil),
            ("{\"agent\"", "{\"x\":1,\"x\":2,\"agent\"", true),
            ("{\"agent\"", "{\"schema_version\":2,\"agent\"", nil),
            ("{\"agent\"", "{\"run\":null,\"agent\"", nil),
            ("{\"agent\"", "{\"ïd\":1,\"agent\"", nil),
            ("{\"agent\"", "{\"\":1,\"agent\"", true),
            ("\"id\":", "\"\\u0069d\":", nil),
            ("\"id\":\"9F1C3E2A", "\"id\":\"9f1c3e2a", true),
            ("\"id\":\"9F1C3E2A", "\"id\":\"{9F1C3E2A", nil),
            ("{\"cpu_ms\"", "{\"noisy\":null,\"noisy\":true,\"cpu_ms\"", nil),
            ("{\"cpu_ms\"", "{\"failed\":false,\"noisy\":null,\"cpu_ms\"", true),
            ("\"wall_ms\":812.5}", "\"wall_ms\":812.5,}", nil),
            ("\"wall_ms\":812.5}", "\"wall_ms\":812.5 , \"extra\" : [ ] }", true),
            ("\"wall_ms\":814.5}]", "\"wall_ms\":814.5},]", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":\"6.1\\/0\"", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":\"a\\u00e9\"", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":\"\\ud800\"", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":\"tab\there\"", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":\"e\u{301} 日本 🚀 \u{7f}\"", true),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":null", nil),
            ("\"kernel\":\"6.1.0-28-amd64\"", "\"kernel\":6", nil),
            ("\"kernel\":\"6.1.0-28-amd64\",", "", nil),
            ("\"source\":\"agent\"", "\"source\":\"AGENT\"", nil),
            ("\"source\":\"agent\"", "\"source\":\"import\"", true),
            ("\"type\":\"data\"", "\"type\":\"Data\"", nil),
            (createdAt, "\"created_at\":\"2026-11-25T19:00:00+01:00\"", true),
            (createdAt, "\"created_at\":\"2026-11-25\"", nil),
            (createdAt, "\"created_at\":null", nil),
            ("\"params\":{\"library\":\"json\",\"payload\":\"records-1k\"}", "\"params\":{}", true),
            ("\"params\":{\"library\":\"json\",\"payload\":\"records-1k\"}", "\"params\":null", nil),
            (
                "\"params\":{\"library\":\"json\",\"payload\":\"records-1k\"}",
                "\"params\":{\"library\":null,\"procs\":null}", true
            ),
            ("\"run\":{", "\"run\":null,\"ignored\":{", true),
            ("\"caches\":[", "\"caches\":null,\"ignored\":[", nil),
            ("\"samples\":[", "\"samples\":[],\"ignored\":[", true),
            ("\"virtualized\":true", "\"virtualized\":1", nil),
            ("\"virtualized\":true", "\"virtualized\":tru", nil),
            ("\"virtualized\":true", "\"virtualized\":trueish", nil),
            (":", " : ", true),
        ]
        for (found, replacement, mustBeFast) in replacements {
            #expect(fixture.contains(found), "\(found) is not in the fixture")
            let body = Self.replacingFirst(found, with: replacement, in: fixture)
            let fast = Self.compare(body)
            if let mustBeFast { #expect((fast != nil) == mustBeFast, "\(replacement)") }
            try Self.expectUnchangedDecode(body)
        }
        let plain = Array(fixture.utf8)
        let amd = Array("6.1.0-28-amd64".utf8)
        let bodies: [(Data, Bool?)] = [
            (Data(" \t\r\n".utf8 + plain + " \n".utf8), true), (Data([0x0C] + plain), nil), (Data(plain + [0x0C]), nil),
            (Data(plain + [0]), nil), (Data(plain + Array(" x".utf8)), nil), (Data(plain + plain), nil),
            (Data([0xEF, 0xBB, 0xBF] + plain), nil), (Data(), nil), (Data("{}".utf8), nil), (Data("null".utf8), nil),
            (Data("[]".utf8), nil), (Data(plain.dropLast()), nil),
            (Self.replacingFirst(amd, with: [0xC3, 0xA9, 0xFF], in: plain), nil),
            (Self.replacingFirst(amd, with: [0xED, 0xA0, 0x80], in: plain), nil),
            (Self.replacingFirst(amd, with: [0xC0, 0x80], in: plain), nil),
            (Self.replacingFirst(amd, with: [0x00], in: plain), nil),
            (Self.replacingFirst(amd, with: [0xC3, 0xA9], in: plain), true),
            // UTF-16, which JSONDecoder detects and reads.
            (Data(fixture.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }), nil),
        ]
        for (index, (body, mustBeFast)) in bodies.enumerated() {
            let fast = Self.compare(body)
            if let mustBeFast { #expect((fast != nil) == mustBeFast, "body \(index)") }
            try Self.expectUnchangedDecode(body)
        }
    }

    @Test("the fast decoder knows every stored property of the wire types")
    func fieldCounts() {
        // A new field must be read by SubmissionFastDecoder and drawn by RandomSubmission; update
        // both, then these counts.
        let submission = SubmissionFixture.make()
        let counts = [
            Mirror(reflecting: submission).children.count, Mirror(reflecting: submission.agent).children.count,
            Mirror(reflecting: submission.machine).children.count,
            Mirror(reflecting: submission.machine.caches[0]).children.count,
            Mirror(reflecting: submission.interpreter).children.count,
            Mirror(reflecting: submission.run!).children.count,
            Mirror(reflecting: submission.results[0]).children.count,
            Mirror(reflecting: submission.results[0].params).children.count,
            Mirror(reflecting: submission.results[0].samples[0]).children.count,
        ]
        #expect(counts == [9, 2, 13, 4, 4, 5, 5, 4, 7])
    }

    // MARK: Helpers

    /// `JSONDecoder`'s reading of `body`, nil when it refuses it.
    static func reference(_ body: Data) -> Submission? {
        try? WireCoding.makeDecoder().decode(Submission.self, from: body)
    }

    /// Decodes `body` both ways and expects them to agree; returns the fast path's value.
    @discardableResult
    static func compare(_ body: Data, sourceLocation: SourceLocation = #_sourceLocation) -> Submission? {
        let fast = SubmissionFastDecoder.decode(body)
        guard let fast else { return nil }
        guard let reference = reference(body) else {
            Issue.record(
                "the fast path accepted a body JSONDecoder refuses: \(String(decoding: body.prefix(600), as: UTF8.self))",
                sourceLocation: sourceLocation)
            return fast
        }
        #expect(fast == reference, sourceLocation: sourceLocation)
        #expect(bits(fast) == bits(reference), "doubles differ in their bits", sourceLocation: sourceLocation)
        return fast
    }

    /// `Submission.decode(from:)` answers what it did before the fast path: JSONDecoder's value, or
    /// the issues made from its error.
    static func expectUnchangedDecode(_ body: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before: Result<Submission, SubmissionRejection>
        do {
            before = .success(try WireCoding.makeDecoder().decode(Submission.self, from: body))
        } catch let error as DecodingError {
            before = .failure(SubmissionRejection([FieldIssue(decodingError: error)]))
        } catch {
            before = .failure(SubmissionRejection([FieldIssue(field: "(body)", reason: "is not valid JSON")]))
        }
        let after = Result { () throws(SubmissionRejection) in try Submission.decode(from: body) }
        switch (before, after) {
        case (.success(let old), .success(let new)):
            #expect(old == new && bits(old) == bits(new), sourceLocation: sourceLocation)
        case (.failure(let old), .failure(let new)):
            #expect(old == new, sourceLocation: sourceLocation)
        default:
            Issue.record("decode changed: \(before) → \(after)", sourceLocation: sourceLocation)
        }
    }

    /// Every double in `submission` as bits: `==` holds for 0.0 and -0.0 alike.
    static func bits(_ submission: Submission) -> [UInt64] {
        var bits = [submission.createdAt.timeIntervalSinceReferenceDate.bitPattern]
        bits.append(submission.machine.cpuQuota?.bitPattern ?? 1)
        for result in submission.results {
            for sample in result.samples {
                bits += [sample.wallMs.bitPattern, sample.cpuMs.bitPattern, sample.foreignLoad.bitPattern]
            }
        }
        return bits
    }

    static func replacingFirst(_ target: String, with replacement: String, in text: String) -> Data {
        guard let range = text.range(of: target) else { return Data(text.utf8) }
        return Data(text.replacingCharacters(in: range, with: replacement).utf8)
    }

    static func replacingFirst(_ target: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> Data {
        for start in 0...(bytes.count - target.count) where bytes[start..<start + target.count].elementsEqual(target) {
            return Data(bytes[..<start] + replacement + bytes[(start + target.count)...])
        }
        return Data(bytes)
    }
}

/// Seeded random submissions that vary every optional and flag, strings in many scripts, and
/// numbers at the ends of their ranges. About one submission in six may also hold values the fast
/// path leaves to `JSONDecoder` (a string the encoder escapes, a subnormal double); then
/// ``leavesFastPath`` is set.
struct RandomSubmission {
    var random: SplitMix64
    var leavesFastPath = false
    private var mayLeaveFastPath = false

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
    mutating func chance(_ oneIn: Int) -> Bool { below(oneIn) == 0 }
    mutating func maybe<T>(_ make: (inout Self) -> T) -> T? { chance(2) ? nil : make(&self) }

    static let plainStrings = [
        "", "x86_64", "Linux", "AMD EPYC 7B13", "Ünïcödé", "日本語のCPU", "e\u{301}", "🚀 fast", "del\u{7f}", "a/b/c",
        "<script>alert(1)</script>",
        "\u{fffe}\u{10ffff}", "Ω≈ç√∫", "tab-free text with spaces", "'single'", String(repeating: "long", count: 100),
    ]
    static let escapedStrings = ["quote\"d", "back\\slash", "new\nline", "\u{01}", "\t"]

    mutating func string() -> String {
        if mayLeaveFastPath, chance(10) {
            leavesFastPath = true
            return Self.escapedStrings[below(Self.escapedStrings.count)]
        }
        return Self.plainStrings[below(Self.plainStrings.count)]
    }

    mutating func double() -> Double {
        let value: Double
        switch below(12) {
        case 0: value = [0, -0.0, 1, -1, 0.1, 1.0 / 3, 1e-5, 1e21, 1e22, 1e23][below(10)]
        case 1:
            value =
                [
                    Double.greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude,
                    -.leastNormalMagnitude, .ulpOfOne,
                ][below(5)]
        case 2 where mayLeaveFastPath: value = [Double.leastNonzeroMagnitude, .leastNormalMagnitude / 3][below(2)]
        case 3:
            var bits = Double(bitPattern: random.next())
            while !bits.isFinite { bits = Double(bitPattern: random.next()) }
            value = bits
        case 4: value = Double(Int64(bitPattern: random.next()))
        default: value = Double(random.next() % 1_000_000_000) / Double(1 << below(40)) + 0.001
        }
        if value.isSubnormal { leavesFastPath = true }
        return value
    }

    mutating func int64() -> Int64 {
        switch below(4) {
        case 0: [Int64.min, .max, 0, -1, 1][below(5)]
        case 1: Int64(bitPattern: random.next())
        default: Int64(below(1 << 30))
        }
    }

    mutating func int() -> Int { Int(int64()) }

    mutating func make() -> Submission {
        mayLeaveFastPath = chance(6)
        var uuid = UUID().uuid
        withUnsafeMutableBytes(of: &uuid) { bytes in
            for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
        }
        let machine = MachineInfo(
            arch: string(), os: string(), osVersion: string(), kernel: string(), cpuVendor: string(),
            cpuModel: string(),
            physicalCores: int(), logicalCPUs: int(), memoryBytes: int64(),
            caches: (0..<below(6)).map { _ in
                CacheInfo(level: int(), type: CacheType.allCases[below(3)], sizeBytes: int64(), sharedBy: int())
            },
            cpuinfoCacheBytes: maybe { $0.int64() }, virtualized: chance(2), cpuQuota: maybe { $0.double() })
        let results = (0..<below(7)).map { _ in
            BenchmarkResult(
                benchmark: string(), benchmarkVersion: string(),
                params: ResultParams(
                    procs: maybe { $0.int() }, nurseryBytes: maybe { $0.int64() }, payload: maybe { $0.string() },
                    library: maybe { $0.string() }),
                unit: string(),
                samples: (0..<below(40)).map { _ in
                    Sample(
                        wallMs: double(), cpuMs: double(), maxRSSBytes: int64(), round: int(), foreignLoad: double(),
                        noisy: maybe { $0.chance(2) }, failed: maybe { $0.chance(2) })
                })
        }
        let milliseconds = 946_684_800_000 + Int64(below(4_102_444_800_000 - 946_684_800_000))
        return Submission(
            schemaVersion: chance(3) ? 1 : int(), id: UUID(uuid: uuid),
            createdAt: Date(timeIntervalSince1970: Double(milliseconds) / 1000),
            agent: AgentInfo(name: string(), version: string()), source: SubmissionSource.allCases[below(3)],
            machine: machine,
            interpreter: InterpreterInfo(
                implementation: string(), version: string(), languageVersion: string(), executable: string()),
            run: maybe { $0.runInfo() }, results: results)
    }

    mutating func runInfo() -> RunInfo {
        RunInfo(
            seed: [0, .max, random.next()][below(3)], rounds: int(), warmupRounds: int(),
            pypyGCMin: maybe { $0.string() },
            stopReason: maybe { $0.string() })
    }
}
