import Crypto
import Foundation

/// The bearer secrets the server hands out (install tokens, deletion tokens) and accepts (the
/// admin token), and the one way they are stored: as SHA-256 digests.
///
/// A token is 32 random bytes from the system's cryptographic generator, written base64url
/// without padding (43 characters). A plain SHA-256 suffices for storage — no salt or slow
/// hash — because the tokens carry 256 bits of entropy: there is no dictionary to attack, so a
/// stolen database yields nothing usable.
public enum SecretToken {
    /// Characters in a generated token.
    public static let length = 43

    /// A fresh token.
    public static func generate() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { base64URL(Data($0)) }
    }

    /// The stored form of `token`: 64 lowercase hex digits of its SHA-256.
    public static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `text` has the shape of a generated token. Checked before hashing anything a client
    /// sends, so a header of arbitrary length or content is never used as a key.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == length
            && text.utf8.allSatisfy { byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == 0x2D || byte == 0x5F
            }
    }

    /// Compares two digests in time independent of where they differ, so response timing does
    /// not reveal how much of a guessed token's digest matched a stored one.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    /// Base64url without padding (RFC 4648 §5).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
