import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real HTTP client (URLSession, as the agent uses) against a live server, with one helper per
/// endpoint.
public struct HTTPClient: Sendable {
    /// The server's base URL, `http://127.0.0.1:PORT`.
    public let baseURL: URL
    /// A private session: no shared cookies or cache between tests or server restarts.
    private let session: URLSession

    public init(baseURL: URL) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration)
    }

    /// One answer: status, headers (names lower-cased) and body.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        /// A header by case-insensitive name.
        public func header(_ name: String) -> String? { headers[name.lowercased()] }

        /// Decodes a JSON body with the wire configuration.
        public func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try WireCoding.makeDecoder().decode(T.self, from: body)
        }

        /// Decodes a problem body; nil when the media type is not `application/problem+json`.
        public func problem() throws -> ProblemDetails? {
            guard header("Content-Type") == ProblemDetails.mediaType else { return nil }
            return try WireCoding.makeDecoder().decode(ProblemDetails.self, from: body)
        }
    }

    /// Sends one request.
    public func send(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil, stream: Bool = false,
        headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: path, relativeTo: baseURL)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let body {
            if stream {
                // A stream body has no declared length: it goes out chunked, which exercises the
                // server's collect-with-limit path rather than its Content-Length check.
                request.httpBodyStream = InputStream(data: body)
            } else {
                request.httpBody = body
            }
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return Reply(status: http.statusCode, headers: headers, body: data)
    }

    /// `POST /api/v1/submissions`.
    public func postSubmission(_ body: Data, contentType: String? = "application/json", stream: Bool = false)
        async throws -> Reply
    {
        try await send("POST", "/api/v1/submissions", body: body, contentType: contentType, stream: stream)
    }

    /// `DELETE /api/v1/submissions/{id}` with a deletion token as a bearer token.
    public func deleteSubmission(_ id: UUID, token: String?) async throws -> Reply {
        try await send(
            "DELETE", "/api/v1/submissions/\(id.uuidString.lowercased())",
            headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
    }

    /// `GET /api/v1/submissions/{id}`.
    public func getSubmission(_ id: UUID) async throws -> Reply {
        try await send("GET", "/api/v1/submissions/\(id.uuidString.lowercased())")
    }

    /// `GET /api/v1/machines?…`.
    public func getMachines(_ query: String = "") async throws -> Reply {
        try await send("GET", "/api/v1/machines" + (query.isEmpty ? "" : "?\(query)"))
    }

    /// `GET /api/v1/machines/{id}`.
    public func getMachine(_ id: String) async throws -> Reply {
        try await send("GET", "/api/v1/machines/\(id)")
    }
}
