#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The rate-limit key of a client address: IPv4 addresses as they are, IPv6 addresses by their
/// /64 prefix (one subscriber typically holds a whole /64, so keying single addresses would let
/// one client rotate through 2⁶⁴ keys), IPv4-mapped IPv6 as the IPv4 address.
enum ClientAddress {
    /// The key for `text`, or nil when it is not an IP address.
    static func key(_ text: String) -> String? {
        let trimmed = text.trimmed(of: " \t[]")
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 { return "ip4:" + trimmed }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, trimmed, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return "ip4:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        return "ip6:" + bytes[0..<8].map { hex($0) }.joined() + "::/64"
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
