import CrowdspeedCore
import Foundation
import Testing

/// Seeded random mutations of a valid submission's bytes and structure: decoding never crashes,
/// and every body either decodes (and then validates or names its problems) or is refused with
/// at least one field issue. A crash would kill the test process, so reaching the end is part
/// of the property.
@Suite("Decoder properties")
struct DecoderPropertyTests {
    @Test("mutated bodies decode and validate, or are refused with a field issue", arguments: [UInt64(1), 2, 3, 4])
    func mutations(seed: UInt64) throws {
        let valid = try WireCoding.makeEncoder().encode(SubmissionFixture.make())
        var random = Mutator(seed: seed)
        var decoded = 0
        var refused = 0
        for _ in 0..<500 {
            let body = random.mutate(valid)
            do {
                let submission = try Submission.decode(from: body)
                decoded += 1
                // Validation must terminate and give a list (possibly empty): never trap.
                let issues = submission.validationIssues(now: SubmissionFixture.now)
                #expect(issues.count <= 50)
            } catch {
                refused += 1
                #expect(!error.issues.isEmpty)
                #expect(error.issues.allSatisfy { !$0.field.isEmpty && !$0.reason.isEmpty })
            }
        }
        // Both branches are exercised, or the mutator is not testing anything.
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }
}

/// Mutations that cover what broken and hostile clients send: flipped and dropped bytes,
/// truncation, injected JSON tokens, and values swapped for others of any type.
struct Mutator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

    static let tokens = [
        "null", "true", "-1", "0", "1e400", "-0.0", "NaN", "\"\"", "[]", "{}", "\"<script>\"", "9223372036854775808",
        "\"\\u0000\"", "1.5", "\"2099-01-01T00:00:00Z\"", "[[[[[[[[", "}", ",", ":", "\"\\ud800\"",
    ]

    /// One mutation of `data`.
    mutating func mutate(_ data: Data) -> Data {
        var bytes = Array(data)
        switch below(6) {
        case 0:
            for _ in 0..<(1 + below(4)) { bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: next()) }
        case 1:
            bytes = Array(bytes.prefix(below(bytes.count)))
        case 2:
            let at = below(bytes.count)
            bytes.insert(contentsOf: Array(Self.tokens[below(Self.tokens.count)].utf8), at: at)
        case 3:
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(40)))
        default:
            return structural(data)
        }
        return Data(bytes)
    }

    /// Replaces one value anywhere in the JSON tree with a random token's value.
    private mutating func structural(_ data: Data) -> Data {
        guard var object = try? JSONSerialization.jsonObject(with: data) else { return data }
        let replacement = try? JSONSerialization.jsonObject(
            with: Data(Self.tokens[below(8)].utf8), options: [.fragmentsAllowed])
        object = replace(in: object, with: replacement ?? NSNull(), depth: 0)
        return (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? data
    }

    private mutating func replace(in value: Any, with replacement: Any, depth: Int) -> Any {
        if var dictionary = value as? [String: Any], !dictionary.isEmpty {
            let keys = dictionary.keys.sorted()
            let key = keys[below(keys.count)]
            if below(3) == 0 || depth > 6 {
                if below(4) == 0 { dictionary[key] = nil } else { dictionary[key] = replacement }
            } else {
                dictionary[key] = replace(in: dictionary[key]!, with: replacement, depth: depth + 1)
            }
            return dictionary
        }
        if var array = value as? [Any], !array.isEmpty {
            let index = below(array.count)
            array[index] = below(3) == 0 ? replacement : replace(in: array[index], with: replacement, depth: depth + 1)
            return array
        }
        return replacement
    }
}
