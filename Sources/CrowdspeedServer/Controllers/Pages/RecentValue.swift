/// A value recomputed at most once per `lifetime` while its key stays the same: concurrent
/// readers of an expired value wait for one recomputation rather than each starting their own.
///
/// For parts of a page that cost far more than the page itself and need not be to the second
/// (the overview's chart of 2000 machines: ~280 ms of reads and ~100 ms of building and
/// rendering at 100k machines, measured by `bench query`), where a count maintained at ingest is
/// not possible. The key is what must never be stale (the overview's: the served formula).
actor RecentValue<Key: Equatable & Sendable, Value: Sendable> {
    private let lifetime: Duration
    private var current: (key: Key, value: Value, at: ContinuousClock.Instant)?
    private var running: (key: Key, task: Task<Value, any Error>)?

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    /// The value for `key`, computed first by `compute` when the one held is older than the
    /// lifetime or was computed for another key. A failed computation is thrown to its waiters
    /// and retried by the next reader.
    func value(for key: Key, compute: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let current, current.key == key, ContinuousClock.now - current.at < lifetime { return current.value }
        if let running, running.key == key { return try await running.task.value }
        let task = Task { try await compute() }
        running = (key, task)
        defer { if running?.task == task { running = nil } }
        let value = try await task.value
        current = (key, value, ContinuousClock.now)
        return value
    }
}
