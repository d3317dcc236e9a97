import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a server made of one upload (a submission, or a verification: `Receipt` is its receipt).
public enum UploadResult<Receipt: Sendable & Equatable>: Sendable, Equatable {
    /// 201 (created) or 200 (the id was already stored).
    case stored(Receipt)
    /// 4xx: the server refused the payload; retrying the same bytes would fail again.
    case rejected(status: Int, problem: ProblemDetails?)
    /// No usable answer (connection refused, timeout, 5xx): worth retrying later.
    case unavailable(reason: String)
    /// 429: the server took nothing and asks the client to wait `retryAfterSeconds` (nil when
    /// it did not say) before writing again. The payload is fine; only the timing is not.
    case rateLimited(retryAfterSeconds: Int?)
}

/// Posts submissions to `{server}/api/v1/submissions` and verifications to `{server}/api/v1/verifications`.
public struct Uploader: Sendable {
    public var server: URL
    public var timeoutSeconds: Double
    /// The install token this server issued earlier, sent as `X-Crowdspeed-Install` so the
    /// server attributes the upload to the same install (nil before the first upload).
    public var installToken: String?

    public init(server: URL, timeoutSeconds: Double = 30) {
        self.server = server
        self.timeoutSeconds = timeoutSeconds
    }

    /// The ingestion endpoint.
    public var endpoint: URL { server.appendingPathComponent("api/v1/submissions") }

    /// The verifications endpoint.
    public var verificationsEndpoint: URL { server.appendingPathComponent("api/v1/verifications") }

    /// Sends the exact submission payload bytes (as encoded by `WireCoding.makeEncoder()`).
    public func upload(_ payload: Data) async -> UploadResult<SubmissionReceipt> {
        await post(payload, to: endpoint)
    }

    /// Sends the exact verification payload bytes (as encoded by `WireCoding.makeEncoder()`).
    public func uploadVerification(_ payload: Data) async -> UploadResult<VerificationReceipt> {
        await post(payload, to: verificationsEndpoint)
    }

    /// Posts `payload` as JSON with the install token, and sorts the answer by status.
    private func post<Receipt: Decodable & Sendable & Equatable>(_ payload: Data, to endpoint: URL) async
        -> UploadResult<Receipt>
    {
        var request = URLRequest(url: endpoint, timeoutInterval: timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, application/problem+json", forHTTPHeaderField: "Accept")
        if let installToken { request.setValue(installToken, forHTTPHeaderField: "X-Crowdspeed-Install") }
        request.httpBody = payload
        let data: Data
        let http: HTTPURLResponse
        switch await ServerExchange.send(request, timeoutSeconds: timeoutSeconds) {
        case .success(let answer): (data, http) = answer
        case .failure(let failure): return .unavailable(reason: failure.reason)
        }
        switch http.statusCode {
        case 200, 201:
            guard let receipt = try? WireCoding.makeDecoder().decode(Receipt.self, from: data) else {
                return .unavailable(reason: "HTTP \(http.statusCode) with an unreadable receipt")
            }
            return .stored(receipt)
        case 429:
            return .rateLimited(
                retryAfterSeconds: Self.retryAfterSeconds(http.value(forHTTPHeaderField: "Retry-After")))
        case 400..<500 where http.statusCode != 408:
            return .rejected(
                status: http.statusCode, problem: try? JSONDecoder().decode(ProblemDetails.self, from: data))
        default:
            return .unavailable(reason: "HTTP \(http.statusCode)")
        }
    }

    /// The wait a `Retry-After` value asks for, in whole seconds: delay-seconds, or an HTTP date
    /// (RFC 9110 §10.2.3) counted from `now`; nil when absent or unreadable.
    public static func retryAfterSeconds(_ value: String?, now: Date = Date()) -> Int? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text) { return seconds >= 0 ? seconds : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: text) else { return nil }
        return max(0, Int(date.timeIntervalSince(now).rounded(.up)))
    }

    /// The dashboard page of a machine, `{server}/machines/{id}` (the server's
    /// `MachinePageController` route): the page a person opens, where the receipt's `machine`
    /// link is the JSON document.
    public func machinePage(_ machineID: String) -> URL {
        server.appendingPathComponent("machines").appendingPathComponent(machineID)
    }

    /// A receipt link (`/api/v1/machines/m-…`) made absolute against the server URL.
    public func absolute(_ link: String) -> String {
        URL(string: link, relativeTo: server)?.absoluteString ?? link
    }
}
