import Foundation
import Synchronization

/// Runs a fixed list of requests against loopback ports from `concurrency` client threads, each
/// with its own keep-alive connection, and records every request's latency and status. With
/// several ports (several servers on one database) the threads are spread over them evenly, as a
/// round-robin load balancer would spread connections.
///
/// Client threads are plain OS threads blocked in `recv`, not tasks: they cost the CPU only
/// while building or reading bytes, and they never occupy the cooperative pool the in-process
/// work (if any) runs on. The list is bounded, so a run always ends by itself.
enum LoadRunner {
    /// What one run measured.
    struct Outcome: Sendable {
        /// Seconds from the first request sent to the last answer read.
        var seconds: Double
        /// Latency of every answered request, in milliseconds, in completion order.
        var latenciesMs: [Double]
        /// Answers by status.
        var statuses: [Int: Int]
        /// Requests with no answer (connection failures).
        var failures: Int
        /// The first few unexpected answers, for diagnosis.
        var samples: [String]

        /// Requests answered with a status outside `expected`, plus failures.
        func errors(expected: Set<Int>) -> Int {
            failures + statuses.filter { !expected.contains($0.key) }.reduce(0) { $0 + $1.value }
        }
    }

    /// Sends the requests in `requests` (each at most once, in order of who is free first) until
    /// all are sent or `timeLimit` has passed since the first; a request in flight at the limit
    /// still completes. ``Outcome/latenciesMs`` says how many were answered.
    static func run(
        ports: [Int], concurrency: Int, requests: [[UInt8]], expected: Set<Int>, timeLimit: Duration = .seconds(3600)
    ) async -> Outcome {
        let limitNanoseconds = UInt64(timeLimit.components.seconds) * 1_000_000_000
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: runBlocking(
                        ports: ports, concurrency: concurrency, requests: requests, expected: expected,
                        limitNanoseconds: limitNanoseconds))
            }
        }
    }

    /// The state the client threads share: ~Copyable atomics live in a class so closures can hold them.
    private final class Shared: Sendable {
        let next = Atomic<Int>(0)
        /// When the clock started (uptime nanoseconds), for the time limit.
        let started = Atomic<UInt64>(0)
        let collected = Mutex(Outcome(seconds: 0, latenciesMs: [], statuses: [:], failures: 0, samples: []))
    }

    /// The blocking body of ``run(ports:concurrency:requests:expected:timeLimit:)``.
    private static func runBlocking(
        ports: [Int], concurrency: Int, requests: [[UInt8]], expected: Set<Int>, limitNanoseconds: UInt64
    ) -> Outcome {
        let shared = Shared()
        let done = DispatchGroup()
        // Every thread connects before the clock starts, so connection setup is not measured.
        let ready = DispatchSemaphore(value: 0)
        let start = DispatchSemaphore(value: 0)
        let workers = max(1, min(concurrency, requests.count))
        for worker in 0..<workers {
            done.enter()
            let port = ports[worker % ports.count]
            let thread = Thread {
                defer { done.leave() }
                let connection = try? HTTPConnection(port: port)
                ready.signal()
                start.wait()
                var latencies: [Double] = []
                var statuses: [Int: Int] = [:]
                var failures = 0
                var samples: [String] = []
                while DispatchTime.now().uptimeNanoseconds - shared.started.load(ordering: .relaxed) < limitNanoseconds
                {
                    let index = shared.next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < requests.count else { break }
                    let began = DispatchTime.now().uptimeNanoseconds
                    do {
                        guard let connection else { throw HTTPConnection.Failure(description: "no connection") }
                        let answer = try connection.send(requests[index])
                        latencies.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e6)
                        statuses[answer.status, default: 0] += 1
                        if !expected.contains(answer.status), samples.count < 3 {
                            samples.append(
                                "HTTP \(answer.status): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
                        }
                    } catch {
                        failures += 1
                        if samples.count < 3 { samples.append("\(error)") }
                    }
                }
                shared.collected.withLock { outcome in
                    outcome.latenciesMs += latencies
                    outcome.statuses.merge(statuses, uniquingKeysWith: +)
                    outcome.failures += failures
                    outcome.samples += samples.prefix(max(0, 3 - outcome.samples.count))
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<workers { ready.wait() }
        let began = DispatchTime.now().uptimeNanoseconds
        shared.started.store(began, ordering: .relaxed)
        for _ in 0..<workers { start.signal() }
        done.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        return shared.collected.withLock { outcome in
            var result = outcome
            result.seconds = seconds
            return result
        }
    }
}
