#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

import Hummingbird

/// What the server knows of a client's address: which address it is (the TCP peer's, or the
/// trusted proxy's last `X-Forwarded-For` entry), the rate-limit key, and the network block a
/// submission's origin is named after.
enum ClientAddress {
    /// The client's address: the last `X-Forwarded-For` entry when `trustForwardedFor` is set and
    /// that entry is an IP address, else the peer's; nil when neither is known. The last entry is
    /// the one the (single, trusted) proxy appended; earlier entries are whatever the client wrote.
    static func of(_ request: Request, context: AppRequestContext, trustForwardedFor: Bool) -> String? {
        if trustForwardedFor, let header = request.headers[values: RateLimitMiddleware.forwardedFor].last,
            let last = header.split(separator: ",").last, key(String(last)) != nil
        {
            return String(last)
        }
        if let address = context.remoteAddress?.ipAddress, key(address) != nil { return address }
        return nil
    }

    /// The rate-limit key for `text`, or nil when it is not an IP address: IPv4 addresses as they
    /// are, IPv6 addresses by their /64 prefix (one subscriber typically holds a whole /64, so
    /// keying single addresses would let one client rotate through 2⁶⁴ keys), IPv4-mapped IPv6 as
    /// the IPv4 address.
    static func key(_ text: String) -> String? {
        switch parse(text) {
        case .v4(let bytes): "ip4:" + bytes.map(String.init).joined(separator: ".")
        case .v6(let bytes): "ip6:" + bytes[0..<8].map { hex($0) }.joined() + "::/64"
        case nil: nil
        }
    }

    /// The network block of `text`, or nil when it is not an IP address: the /24 of an IPv4
    /// address (IPv4-mapped IPv6 included), the /48 of an IPv6 one — the blocks a provider
    /// typically hands one customer or site, so that an attacker's fresh tokens still share one.
    static func block(_ text: String) -> String? {
        switch parse(text) {
        case .v4(let bytes): "ip4:" + bytes[0..<3].map(String.init).joined(separator: ".") + ".0/24"
        case .v6(let bytes): "ip6:" + bytes[0..<6].map { hex($0) }.joined() + "::/48"
        case nil: nil
        }
    }

    private enum Parsed {
        case v4([UInt8])
        case v6([UInt8])
    }

    /// The address's bytes, IPv4-mapped IPv6 as IPv4; nil when `text` is not an address.
    private static func parse(_ text: String) -> Parsed? {
        let trimmed = text.trimmed(of: " \t[]")
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        // Parsed into plain byte buffers (network order, 4 and 16 bytes), not `in_addr` values:
        // NIO's C shim declares those structs too, which makes their initializers ambiguous.
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, trimmed, &v4) == 1 { return .v4(v4) }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, trimmed, &bytes) == 1 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return .v4(Array(bytes[12...]))
        }
        return .v6(bytes)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

extension String {
    /// Trims the characters of `set` from both ends (Foundation-free, for this target's C-level file).
    fileprivate func trimmed(of set: String) -> String {
        var view = Substring(self)
        while let first = view.first, set.contains(first) { view.removeFirst() }
        while let last = view.last, set.contains(last) { view.removeLast() }
        return String(view)
    }
}
