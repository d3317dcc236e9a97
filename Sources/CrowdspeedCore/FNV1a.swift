import Foundation

/// 64-bit FNV-1a: a stable, dependency-free hash for identifiers, seeds, checksums and entity
/// tags (never for secrets: it is not collision resistant against an adversary). The one
/// implementation every target uses, so the same bytes always give the same value.
public struct FNV1a: Sendable, Equatable {
    /// The hash of everything added so far.
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// An empty hash (FNV-1a's offset basis).
    public init() {}

    /// Adds one byte.
    @inline(__always)
    public mutating func add(_ byte: UInt8) {
        value ^= UInt64(byte)
        value = value &* 0x0000_0100_0000_01b3
    }

    /// Adds bytes in order.
    public mutating func add(contentsOf bytes: some Sequence<UInt8>) {
        for byte in bytes { add(byte) }
    }

    /// The value as 16 lowercase hex digits, zero-padded.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The hash of `bytes`.
    public static func hash64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = FNV1a()
        hash.add(contentsOf: bytes)
        return hash.value
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash64(_ text: String) -> UInt64 { hash64(text.utf8) }

    /// The hash of `parts` joined by U+001F (the unit separator, which no part contains), so that
    /// adjacent parts cannot trade characters.
    public static func hash64(joining parts: [String]) -> UInt64 { hash64(parts.joined(separator: "\u{1F}")) }
}
