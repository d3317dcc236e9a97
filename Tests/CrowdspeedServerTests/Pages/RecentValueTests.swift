import Synchronization
import Testing

@testable import CrowdspeedServer

/// The overview's shared chart: computed once per lifetime and key, never served for another key.
@Suite("Values shared for a while")
struct RecentValueTests {
    /// Counts computations and returns their ordinal.
    final class Counter: Sendable {
        let count = Atomic(0)
        func next() -> Int { count.wrappingAdd(1, ordering: .relaxed).newValue }
    }

    @Test("within its lifetime a key's value is computed once, also for concurrent readers")
    func sharedWithinLifetime() async throws {
        let cache = RecentValue<Int, Int>(lifetime: .seconds(60))
        let counter = Counter()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await cache.value(for: 1) {
                        try await Task.sleep(for: .milliseconds(50))
                        return counter.next()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values == Array(repeating: 1, count: 16))
        #expect(try await cache.value(for: 1) { counter.next() } == 1)
        #expect(counter.count.load(ordering: .relaxed) == 1)
    }

    @Test("another key is computed at once, and an expired value again")
    func keyAndLifetime() async throws {
        let cache = RecentValue<String, Int>(lifetime: .milliseconds(200))
        let counter = Counter()
        #expect(try await cache.value(for: "formula v1") { counter.next() } == 1)
        #expect(try await cache.value(for: "formula v2") { counter.next() } == 2)
        #expect(try await cache.value(for: "formula v2") { counter.next() } == 2)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await cache.value(for: "formula v2") { counter.next() } == 3)
    }

    @Test("a failed computation reaches its reader and the next reader computes again")
    func failureRetried() async throws {
        struct Failure: Error {}
        let cache = RecentValue<Int, Int>(lifetime: .seconds(60))
        await #expect(throws: Failure.self) { try await cache.value(for: 1) { throw Failure() } }
        #expect(try await cache.value(for: 1) { 7 } == 7)
    }
}
