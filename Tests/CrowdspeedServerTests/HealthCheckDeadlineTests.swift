import CrowdspeedCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import CrowdspeedServer

/// `/healthz` answers within its deadline whatever the database does: a balancer must not
/// wait on a database that stopped answering.
@Suite("Health check deadline", .timeLimit(.minutes(1)))
struct HealthCheckDeadlineTests {
    /// A read that never ends by itself and ignores cancellation, as a query on a silent
    /// PostgreSQL host does until TCP gives up; released when the test ends.
    final class SilentDatabase: Sendable {
        private let waiting = Mutex<[CheckedContinuation<Void, Never>]>([])

        func read() async {
            await withCheckedContinuation { continuation in waiting.withLock { $0.append(continuation) } }
        }

        func release() {
            for continuation in waiting.withLock({ pending in
                defer { pending = [] }
                return pending
            }) {
                continuation.resume()
            }
        }
    }

    struct Unreadable: Error {}

    func withHealth(
        _ probe: @escaping @Sendable () async throws -> Void,
        _ test: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.addRoutes(HealthController(deadline: .milliseconds(300), probe: probe).routes, atPath: "/healthz")
        try await Application(router: router).test(.router) { client in try await test(client) }
    }

    @Test("a database that does not answer gives 503 within the deadline")
    func silentDatabase() async throws {
        let database = SilentDatabase()
        defer { database.release() }
        try await withHealth({ await database.read() }) { client in
            let start = ContinuousClock.now
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(response.status == .serviceUnavailable)
            let problem = try response.problem()
            #expect(problem.detail?.contains("did not answer within") == true, "\(problem)")
        }
    }

    @Test("a read that fails is 503; one that answers in time is 200")
    func failingAndHealthy() async throws {
        try await withHealth({ throw Unreadable() }) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .serviceUnavailable)
        }
        try await withHealth({ try await Task.sleep(for: .milliseconds(20)) }) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
        }
    }
}
