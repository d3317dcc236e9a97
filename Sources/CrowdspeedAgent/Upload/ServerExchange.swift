import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One request to a Crowdspeed server on a private ephemeral session (no shared cookies or cache),
/// with the agent's `User-Agent`: the transport every upload, flush and deletion goes through.
public enum ServerExchange {
    /// Sends `request` with `timeoutSeconds` as the request timeout.
    ///
    /// - Returns: the body and the HTTP response, or the reason there is none (connection refused,
    ///   timeout, not HTTP) for the caller to report as "unavailable".
    public static func send(_ request: URLRequest, timeoutSeconds: Double) async -> Result<
        (Data, HTTPURLResponse), Failure
    > {
        var request = request
        request.setValue("\(AgentIdentity.info.name)/\(AgentIdentity.version)", forHTTPHeaderField: "User-Agent")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                return .failure(Failure(reason: "not an HTTP response"))
            }
            return .success((data, http))
        } catch {
            return .failure(Failure(reason: error.localizedDescription))
        }
    }

    /// Why no HTTP answer came back.
    public struct Failure: Error {
        public var reason: String
    }
}
