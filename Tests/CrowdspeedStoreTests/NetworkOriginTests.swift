import CrowdspeedCore
import CrowdspeedStoreTestSupport
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing

/// Network origins (issue 17): a keyed hash of the submitting address block, made from a secret
/// the server keeps on disk, stored with the submission and handed to the fit, never exported.
@Suite("Network origins")
struct NetworkOriginTests {
    @Test("an origin is stable for its block under one key, differs across blocks and across keys, and hides the block")
    func keyedHash() {
        let key = NetworkOriginKey.random()
        let a = key.origin(ofBlock: "ip4:198.51.100.0/24")
        #expect(a == key.origin(ofBlock: "ip4:198.51.100.0/24"))
        #expect(a != key.origin(ofBlock: "ip4:198.51.101.0/24"))
        #expect(a != key.origin(ofBlock: "ip6:20010db80001::/48"))
        #expect(a != NetworkOriginKey.random().origin(ofBlock: "ip4:198.51.100.0/24"))
        #expect(a.hasPrefix("o-") && a.count == 34 && !a.contains("198"))
        // Not a plain digest: without the key, hashing all 2²⁴ blocks would not find it.
        #expect(!SecretToken.digest("ip4:198.51.100.0/24").contains(a.dropFirst(2)))
    }

    @Test("the key file is made on first use, owner-only, and the same key is read back after a restart")
    func keyFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite.origin-key").path
            let first = try NetworkOriginKey.loadOrCreate(path: path)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.trimmingCharacters(in: .newlines).count == 64)
            let again = try NetworkOriginKey.loadOrCreate(path: path)
            #expect(first.origin(ofBlock: "ip4:203.0.113.0/24") == again.origin(ofBlock: "ip4:203.0.113.0/24"))
        }
    }

    @Test("a key file that does not hold 64 hex digits is refused, not replaced")
    func badKeyFile() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("origin-key").path
            try "not a key\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: NetworkOriginKeyError.self) { try NetworkOriginKey.loadOrCreate(path: path) }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a key\n")
        }
    }

    @Test("the origin is stored with the submission and read back in its provenance; a repeat does not change it")
    func storedWithSubmission() async throws {
        try await withTemporaryStore { store in
            let key = NetworkOriginKey.random()
            let origin = key.origin(ofBlock: "ip4:198.51.100.0/24")
            func credentials(_ origin: String?) -> IngestCredentials {
                IngestCredentials(
                    presentedInstallHash: nil, newInstallHash: SecretToken.digest(SecretToken.generate()),
                    deletionHash: SecretToken.digest(SecretToken.generate()), origin: origin)
            }
            let first = SubmissionFixture.numbered(1)
            _ = try await store.ingest(first, receivedAt: receivedAt(0), credentials: credentials(origin), curves: [])
            _ = try await store.ingest(
                SubmissionFixture.numbered(2), receivedAt: receivedAt(1), credentials: credentials(nil), curves: [])
            // The same submission again from another block: stored once, with its first origin.
            _ = try await store.ingest(
                first, receivedAt: receivedAt(2),
                credentials: credentials(key.origin(ofBlock: "ip4:203.0.113.0/24")), curves: [])
            let provenance = try await store.submissionProvenance()
            #expect(provenance.map(\.origin) == [origin, nil])
        }
    }
}
