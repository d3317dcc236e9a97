import CrowdspeedStore
import Foundation
import Hummingbird
import Logging
import Synchronization

/// `GET /healthz`: 200 when the server can read its database, 503 otherwise — what a load
/// balancer or `systemd` watchdog needs to decide whether to send traffic or restart.
///
/// The answer comes within ``deadline`` even when the database does not answer at all (a
/// PostgreSQL host that stopped responding leaves reads waiting for TCP to give up): a health
/// check that hangs is read as healthy by some balancers and ties up a connection on all.
public struct HealthController: Sendable {
    /// Reads something small from the database; throws when it cannot.
    let probe: @Sendable () async throws -> Void
    /// How long the probe may take before the answer is 503.
    let deadline: Duration

    /// Creates the controller over `store`, whose first machine row is the probe.
    public init(store: any ResultStore, deadline: Duration = .seconds(2)) {
        self.init(deadline: deadline) { _ = try await store.machines(limit: 1, offset: 0) }
    }

    /// Creates the controller with its own `probe`.
    init(deadline: Duration, probe: @escaping @Sendable () async throws -> Void) {
        self.deadline = deadline
        self.probe = probe
    }

    /// The routes, relative to `/healthz`.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: check)
        return routes
    }

    /// The body of a healthy answer.
    struct Health: Encodable, Sendable {
        var status: String
    }

    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<Health> {
        let answered: Bool
        do {
            answered = try await Self.finishes(within: deadline, probe)
        } catch {
            context.logger.error("health check failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError(.serviceUnavailable, detail: "The database cannot be read")
        }
        guard answered else {
            context.logger.error("health check timed out", metadata: ["deadline": "\(deadline)"])
            throw APIError(.serviceUnavailable, detail: "The database did not answer within \(deadline)")
        }
        return JSONResponse(value: Health(status: "ok"))
    }

    /// Whether `body` finished within `deadline` (rethrowing its error if it failed in time).
    ///
    /// Not a task group: a group waits for all its children, and a read stuck on a silent
    /// database may never see its cancellation. The late `body` is left to end on its own.
    static func finishes(within deadline: Duration, _ body: @escaping @Sendable () async throws -> Void)
        async throws -> Bool
    {
        let answer = FirstAnswer()
        return try await withCheckedThrowingContinuation { continuation in
            answer.wait(continuation)
            let work = Task {
                do {
                    try await body()
                    answer.resume(.success(true))
                } catch {
                    answer.resume(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: deadline)
                answer.resume(.success(false))
                work.cancel()
            }
        }
    }

    /// The caller of ``finishes(within:_:)``, resumed by whichever of the body and the timer ends
    /// first; the other finds nothing left to resume.
    private final class FirstAnswer: Sendable {
        private let pending = Mutex<CheckedContinuation<Bool, any Error>?>(nil)

        func wait(_ continuation: CheckedContinuation<Bool, any Error>) {
            pending.withLock { $0 = continuation }
        }

        func resume(_ result: Result<Bool, any Error>) {
            pending.withLock { waiting in
                waiting?.resume(with: result)
                waiting = nil
            }
        }
    }
}
