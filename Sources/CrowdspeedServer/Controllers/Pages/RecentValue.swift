/// A value recomputed at most once per `lifetime`: concurrent readers of an expired value wait
/// for one recomputation rather than each starting their own.
///
/// For figures a page shows that cost far more than the page itself and need not be to the
/// second (the overview's chart of 2000 machines: ~280 ms of reads at 100k machines, measured by
/// `bench query`), where a count maintained at ingest is not possible.
actor RecentValue<Value: Sendable> {
    private let lifetime: Duration
    private let compute: @Sendable () async throws -> Value
    private var current: (value: Value, at: ContinuousClock.Instant)?
    private var running: Task<Value, any Error>?

    init(lifetime: Duration, compute: @escaping @Sendable () async throws -> Value) {
        self.lifetime = lifetime
        self.compute = compute
    }

    /// The value, recomputed first when older than the lifetime. A failed recomputation is
    /// thrown to its waiters and retried by the next reader.
    func value() async throws -> Value {
        if let current, ContinuousClock.now - current.at < lifetime { return current.value }
        if let running { return try await running.value }
        let task = Task { try await compute() }
        running = task
        defer { running = nil }
        let value = try await task.value
        current = (value, ContinuousClock.now)
        return value
    }
}
