import Foundation

/// Orders interpreter versions numerically (`7.3.9` before `7.3.11`), text after numbers.
public enum VersionOrder {
    /// The numeric components of `version` (`7.3.16-final` → [7, 3, 16]).
    public static func components(_ version: String) -> [Int] {
        version.split(whereSeparator: { !$0.isNumber }).prefix(4).compactMap { Int($0) }
    }

    /// True when `a` sorts before `b` in ascending version order.
    public static func ascending(_ a: String, _ b: String) -> Bool {
        let (x, y) = (components(a), components(b))
        return x == y ? a < b : x.lexicographicallyPrecedes(y)
    }

    /// 0 when `a` is newer than `b` (or equal), else 1: a sort key for "newest first".
    public static func descending(_ a: String, _ b: String) -> Int {
        ascending(b, a) || a == b ? 0 : 1
    }
}
