import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the server made of a deletion request.
public enum DeletionResult: Sendable, Equatable {
    /// 204: the submission and its samples are gone.
    case deleted
    /// 404: the server has no such submission (already deleted, or another server).
    case notFound
    /// 401/403 or another 4xx: the token was refused.
    case refused(status: Int, problem: ProblemDetails?)
    /// No usable answer; nothing is known to have changed.
    case unavailable(reason: String)
}

/// Sends `DELETE {server}/api/v1/submissions/{id}` with a deletion token.
public struct SubmissionDeleter: Sendable {
    public var server: URL
    public var timeoutSeconds: Double

    public init(server: URL, timeoutSeconds: Double = 30) {
        self.server = server
        self.timeoutSeconds = timeoutSeconds
    }

    /// Asks the server to delete submission `id`.
    public func delete(id: UUID, token: String) async -> DeletionResult {
        let url = server.appendingPathComponent("api/v1/submissions/\(id.uuidString.lowercased())")
        var request = URLRequest(url: url, timeoutInterval: timeoutSeconds)
        request.httpMethod = "DELETE"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/problem+json", forHTTPHeaderField: "Accept")
        let data: Data
        let http: HTTPURLResponse
        switch await ServerExchange.send(request, timeoutSeconds: timeoutSeconds) {
        case .success(let answer): (data, http) = answer
        case .failure(let failure): return .unavailable(reason: failure.reason)
        }
        switch http.statusCode {
        case 200, 204: return .deleted
        case 404: return .notFound
        case 400..<500 where http.statusCode != 408 && http.statusCode != 429:
            return .refused(
                status: http.statusCode, problem: try? JSONDecoder().decode(ProblemDetails.self, from: data))
        default: return .unavailable(reason: "HTTP \(http.statusCode)")
        }
    }
}
