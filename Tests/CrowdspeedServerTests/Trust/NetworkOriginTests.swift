import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import CrowdspeedServer

/// The server names each submission's network origin from the client's address block, with the
/// same address the rate limits use (the trusted proxy's last `X-Forwarded-For` entry or the
/// peer), and stores only the keyed hash, which no export carries.
@Suite("Network origins at ingest")
struct NetworkOriginIngestTests {
    @Test("IPv4 addresses group by /24 (IPv4-mapped IPv6 too), IPv6 by /48; anything else has no block")
    func blocks() {
        #expect(ClientAddress.block("198.51.100.7") == "ip4:198.51.100.0/24")
        #expect(ClientAddress.block(" 198.51.100.250 ") == "ip4:198.51.100.0/24")
        #expect(ClientAddress.block("::ffff:198.51.100.9") == "ip4:198.51.100.0/24")
        #expect(ClientAddress.block("198.51.101.7") == "ip4:198.51.101.0/24")
        #expect(ClientAddress.block("2001:db8:1:2::1") == "ip6:20010db80001::/48")
        #expect(ClientAddress.block("[2001:db8:1:ffff:1:2:3:4]") == "ip6:20010db80001::/48")
        #expect(ClientAddress.block("2001:db8:2::1") == "ip6:20010db80002::/48")
        #expect(ClientAddress.block("not-an-address") == nil && ClientAddress.block("") == nil)
        // The rate-limit keys are what they were: single IPv4 addresses, IPv6 /64s.
        #expect(ClientAddress.key("198.51.100.7") == "ip4:198.51.100.7")
        #expect(ClientAddress.key("::ffff:198.51.100.9") == "ip4:198.51.100.9")
        #expect(ClientAddress.key("2001:db8:1:2::1") == "ip6:20010db800010002::/64")
    }

    /// Posts `submission` as if from `address`, through the trusted proxy's header.
    private static func post(_ client: some TestClientProtocol, _ submission: Submission, from address: String)
        async throws -> HTTPResponse.Status
    {
        try await client.postSubmission(
            SweepFixture.json(submission),
            headers: [HTTPField.Name("X-Forwarded-For")!: "192.0.2.1, \(address)"]
        ).status
    }

    @Test("behind a trusted proxy, one /24 or /48 is one origin and another block another; no export holds them")
    func storedPerBlock() async throws {
        try await RouterHarness.run(configure: { $0.trustForwardedFor = true }) { client, store in
            let addresses = ["198.51.100.1", "198.51.100.200", "198.51.101.1", "2001:db8:1:2::1", "2001:db8:1:9::5"]
            for (index, address) in addresses.enumerated() {
                // Ids in posting order: the provenance is read back in (receipt, id) order and the
                // router's clock is fixed.
                let id = UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!
                let submission = SweepFixture.make(id: id, seed: UInt64(index))
                #expect(try await Self.post(client, submission, from: address) == .created)
            }
            let origins = try await store.submissionProvenance().map(\.origin)
            #expect(origins.count == 5 && origins.allSatisfy { $0?.hasPrefix("o-") == true })
            #expect(origins[0] == origins[1] && origins[3] == origins[4])
            #expect(Set(origins).count == 3)
            // Only the keyed hash is stored: no address, block or client-written entry.
            for origin in origins.compactMap({ $0 }) {
                #expect(origin.wholeMatch(of: /o-[0-9a-f]{32}/) != nil, "\(origin) is not a bare keyed hash")
            }
            for path in ["samples.csv", "samples.jsonl", "curves.csv"] {
                let response = try await client.execute(uri: "/api/v1/export/\(path)", method: .get)
                #expect(response.status == .ok)
                let body = String(decoding: response.data, as: UTF8.self)
                #expect(!body.isEmpty)
                for origin in Set(origins.compactMap { $0 }) { #expect(!body.contains(origin), "\(path)") }
                #expect(!body.contains("origin"), "\(path)")
            }
        }
    }

    @Test("without --trust-forwarded-for the header is ignored: the peer's block counts (none in router tests)")
    func untrustedHeader() async throws {
        try await RouterHarness.run(configure: { $0.trustForwardedFor = false }) { client, store in
            let status = try await Self.post(client, SweepFixture.make(id: UUID()), from: "198.51.100.1")
            let origins = try await store.submissionProvenance().map(\.origin)
            #expect(status == .created && origins == [nil])
        }
    }
}
