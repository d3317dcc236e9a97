import CrowdspeedStore
import Foundation
import Testing

/// Tokens: shape, randomness, the digest (checked against the FIPS 180-2 test vector) and the
/// constant-time comparison.
@Suite("Secret tokens")
struct SecretTokenTests {
    @Test("SHA-256 matches the standard vector")
    func digest() {
        #expect(SecretToken.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("tokens are 43 base64url characters and do not repeat")
    func generate() {
        let tokens = (0..<200).map { _ in SecretToken.generate() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && SecretToken.isWellFormed($0) })
        #expect(!SecretToken.isWellFormed("short"))
        #expect(!SecretToken.isWellFormed(String(repeating: "a", count: 42) + "="))
    }

    @Test("constant-time equality is equality")
    func equality() {
        let a = SecretToken.digest("one")
        #expect(SecretToken.constantTimeEqual(a, a))
        #expect(!SecretToken.constantTimeEqual(a, SecretToken.digest("two")))
        #expect(!SecretToken.constantTimeEqual(a, String(a.dropLast())))
    }
}
