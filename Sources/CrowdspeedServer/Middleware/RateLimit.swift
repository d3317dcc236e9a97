/// One token-bucket rate: a sustained number of requests per minute and a burst allowance.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    /// Sustained requests per minute (the refill rate).
    public var perMinute: Double
    /// Requests allowed at once after a quiet period (the bucket's size).
    public var burst: Int

    /// Creates a rate; both values must be positive.
    public init(perMinute: Double, burst: Int) {
        self.perMinute = perMinute
        self.burst = burst
    }

    /// Parses `30/10` (per minute / burst) or `30` (burst = per minute). Nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let rate = Double(parts[0]), rate.isFinite, rate > 0 else { return nil }
        let burst = parts.count == 2 ? Int(parts[1]) : Int(rate.rounded(.up))
        guard let burst, burst >= 1 else { return nil }
        self.init(perMinute: rate, burst: burst)
    }

    public var description: String {
        let rate = perMinute == perMinute.rounded() && perMinute < 1e15 ? String(Int(perMinute)) : String(perMinute)
        return "\(rate)/min, burst \(burst)"
    }

    /// The default per client address: an agent run posts a few submissions, a spool flush a
    /// few dozen at most; 10 at once and then one every 2 s leaves honest use untouched.
    public static let defaultPerAddress = RateLimit(perMinute: 30, burst: 10)
    /// The default per install: the same allowance, keyed by the install token, so one install
    /// cannot spread its uploads over many addresses to escape the bound.
    public static let defaultPerInstall = RateLimit(perMinute: 30, burst: 10)
}
