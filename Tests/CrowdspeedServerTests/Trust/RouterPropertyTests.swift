import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Seeded random mutations of a valid submission sent through the whole router: no body ever
/// gets a 500, and every refusal is an `application/problem+json` whose status matches.
@Suite("Router properties")
struct RouterPropertyTests {
    @Test("no mutated body is answered 500; every error is a problem", arguments: [UInt64(11), 12])
    func mutatedBodies(seed: UInt64) async throws {
        let valid = try SweepFixture.json(SweepFixture.make(rounds: 3))
        try await RouterHarness.run { client, _ in
            var random = SplitMix64(seed: seed)
            var statuses: [Int: Int] = [:]
            for _ in 0..<150 {
                let body = Self.mutate(valid, &random)
                let response = try await client.postSubmission(body)
                let status = Int(response.status.code)
                statuses[status, default: 0] += 1
                #expect(status < 500, "status \(status) for \(String(decoding: body.prefix(200), as: UTF8.self))")
                if status >= 400 {
                    #expect(response.headers[.contentType] == ProblemDetails.mediaType)
                    let problem = try WireCoding.makeDecoder().decode(
                        ProblemDetails.self, from: Data(response.body.readableBytesView))
                    #expect(problem.status == status)
                }
            }
            // The mutations reach past decoding into validation and storage.
            #expect(statuses.keys.contains { $0 >= 400 } && statuses.keys.contains(400))
        }
    }

    /// Byte-level and token-level damage; structural mutation is covered by the Core property test.
    static func mutate(_ data: Data, _ random: inout SplitMix64) -> Data {
        var bytes = Array(data)
        let tokens = ["null", "-1", "1e400", "\"\"", "[]", "{}", "\"<b>\"", "9223372036854775808", "0.0", "true"]
        switch random.next() % 4 {
        case 0:
            for _ in 0..<(1 + Int(random.next() % 3)) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
        case 1:
            bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
        case 2:
            // Replace a number that follows a key with a token: type and range errors deep inside.
            let text = String(decoding: bytes, as: UTF8.self)
            let matches = text.ranges(of: /":[0-9.]+/)
            if !matches.isEmpty {
                let range = matches[Int(random.next() % UInt64(matches.count))]
                let token = tokens[Int(random.next() % UInt64(tokens.count))]
                return Data(text.replacingCharacters(in: range, with: "\":\(token)").utf8)
            }
        default:
            bytes.insert(
                contentsOf: Array(tokens[Int(random.next() % UInt64(tokens.count))].utf8),
                at: Int(random.next() % UInt64(bytes.count)))
        }
        return Data(bytes)
    }
}
