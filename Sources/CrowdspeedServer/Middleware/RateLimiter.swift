import Synchronization

/// Token buckets keyed by client (an address, an install), with bounded memory.
///
/// Each key holds `burst` tokens, refilled continuously at the rate; a request takes one. A
/// bucket that has refilled completely is indistinguishable from a missing one, so idle buckets
/// are dropped when the table reaches ``maxKeys`` — and if every bucket is busy (a flood of
/// distinct addresses), the least recently used tenth goes, which at worst forgives those keys.
///
/// The clock is injected (seconds, monotonic) so tests step time exactly.
public final class RateLimiter: Sendable {
    /// What a request may do.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; a token will be available after this many whole seconds.
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    public let limit: RateLimit
    /// The most keys kept at once.
    public let maxKeys: Int
    private let clock: @Sendable () -> Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Creates a limiter.
    /// - Parameters:
    ///   - limit: the rate and burst per key.
    ///   - maxKeys: the memory bound, in keys (each costs well under 100 bytes).
    ///   - clock: monotonic seconds; defaults to the system's continuous clock.
    public init(
        limit: RateLimit, maxKeys: Int = 100_000, clock: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds
    ) {
        self.limit = limit
        self.maxKeys = max(1, maxKeys)
        self.clock = clock
    }

    /// Takes a token for `key` when one is available.
    public func acquire(_ key: String) -> Decision {
        let now = clock()
        let rate = limit.perMinute / 60
        let burst = Double(limit.burst)
        return buckets.withLock { table -> Decision in
            var bucket =
                table[key]
                ?? {
                    if table.count >= maxKeys {
                        Self.evict(&table, now: now, rate: rate, burst: burst, maxKeys: maxKeys)
                    }
                    return Bucket(tokens: burst, updated: now)
                }()
            bucket.tokens = min(burst, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                table[key] = bucket
                return .allowed
            }
            table[key] = bucket
            return .limited(retryAfterSeconds: max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
        }
    }

    /// The number of keys held (for tests of the memory bound).
    public var keyCount: Int { buckets.withLock { $0.count } }

    /// Drops full (idle) buckets; if that frees nothing, the least recently used tenth.
    private static func evict(_ table: inout [String: Bucket], now: Double, rate: Double, burst: Double, maxKeys: Int) {
        table = table.filter { $0.value.tokens + max(0, now - $0.value.updated) * rate < burst }
        guard table.count >= maxKeys else { return }
        let victims = table.sorted { $0.value.updated < $1.value.updated }.prefix(max(1, maxKeys / 10)).map(\.key)
        for key in victims { table[key] = nil }
    }

    /// Seconds on the continuous (monotonic) clock: immune to wall-clock jumps.
    @Sendable public static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - startInstant
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private static let startInstant = ContinuousClock.now
}
