import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server's secret for naming network origins: the keyed hash that stands for the address
/// block a submission came from (``IngestCredentials/origin``), so that the fit can cap what one
/// block contributes (``CrowdspeedFit/RobustFitOptions/originCap``) without the database ever
/// holding an address.
///
/// HMAC-SHA256 rather than a plain hash: there are only 2²⁴ IPv4 /24 blocks, so a plain digest of
/// one could be reversed by hashing them all. Without the key, which never leaves the server's
/// disk, the stored origin says only "the same block as these other submissions".
public struct NetworkOriginKey: Sendable {
    private let key: SymmetricKey

    /// A key from its 32 bytes.
    public init(bytes: some ContiguousBytes) {
        key = SymmetricKey(data: bytes)
    }

    /// A fresh random key (tests, and a server's first start).
    public static func random() -> NetworkOriginKey {
        NetworkOriginKey(bytes: SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// The stored origin of an address block (e.g. `ip4:203.0.113.0/24`): `o-` and 32 hex digits
    /// of its HMAC, 128 bits, ample to keep blocks apart.
    public func origin(ofBlock block: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(block.utf8), using: key)
        return "o-" + mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The key stored at `path`, created there (64 hex digits, readable by the owner only) when
    /// the file does not exist yet: the first start makes it, every later start reuses it, so
    /// origins stay comparable across restarts.
    ///
    /// - Throws: ``NetworkOriginKeyError`` when the file exists but does not hold a key, or
    ///   cannot be read or written.
    public static func loadOrCreate(path: String) throws -> NetworkOriginKey {
        // Created exclusively (O_EXCL) with owner-only permissions: two servers starting together
        // on one database cannot end up with different keys, and the secret is never world-readable.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        if descriptor >= 0 {
            let key = SymmetricKey(size: .bits256)
            let text = key.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() } + "\n"
            let written = text.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
            let synced = fsync(descriptor)
            close(descriptor)
            guard written == text.utf8.count, synced == 0 else {
                throw NetworkOriginKeyError("the origin key file \(path) cannot be written")
            }
        } else if errno != EEXIST {
            throw NetworkOriginKeyError("the origin key file \(path) cannot be created (errno \(errno))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkOriginKeyError("the origin key file \(path) cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = hexBytes(text), bytes.count == 32 else {
            throw NetworkOriginKeyError("the origin key file \(path) must hold 64 hex digits")
        }
        return NetworkOriginKey(bytes: bytes)
    }

    /// The bytes of an even-length string of hex digits, nil for anything else.
    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }
}

/// The origin key file is unusable; the message names it and says why.
public struct NetworkOriginKeyError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
