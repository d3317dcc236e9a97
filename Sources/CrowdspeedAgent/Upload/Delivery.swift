import CrowdspeedCore
import Foundation

/// What became of one payload.
public enum DeliveryOutcome: Sendable, Equatable {
    /// The server stored it (or already had it).
    case stored(SubmissionReceipt)
    /// The server refused it; the payload is kept in the spool's `rejected/` directory.
    case rejected(status: Int, problem: ProblemDetails?, keptAt: URL)
    /// The server could not be reached; the payload waits in the spool for `flush`.
    case spooled(reason: String, at: URL)
    /// The server is rate limiting this client (429): the payload is fine and waits in the
    /// spool, and nothing more should be sent for `retryAfterSeconds` (nil: not said).
    case rateLimited(retryAfterSeconds: Int?, at: URL)

    /// What to tell the user about a 429: "rate limited, retry after N s".
    public static func rateLimitedReason(retryAfterSeconds: Int?) -> String {
        "rate limited, retry after \(retryAfterSeconds.map { "\($0) s" } ?? "a while")"
    }
}

/// Uploads payloads and makes sure none is lost: what the server did not take is spooled.
public struct Delivery: Sendable {
    public var uploader: Uploader
    public var spool: Spool
    /// Where install and deletion tokens from the server's receipts are kept; nil keeps none.
    public var receipts: ReceiptStore?

    public init(uploader: Uploader, spool: Spool, receipts: ReceiptStore? = nil) {
        self.uploader = uploader
        self.spool = spool
        self.receipts = receipts
    }

    /// Sends a new payload. It is written to the spool first, so a crash or Ctrl-C during the
    /// upload loses nothing; the spool copy goes once the server acknowledges it.
    public func deliver(_ payload: Data, id: UUID) async throws -> DeliveryOutcome {
        let file = try spool.store(payload, id: id)
        return try await send(file: file, payload: payload)
    }

    /// Retries every spooled payload with its original id (the server stores each id once).
    /// Stops at the first one that cannot be delivered for lack of a server (the rest would
    /// only wait for the same timeout) or that the server asks to wait for (sending the rest
    /// would be refused the same way, and would only prolong the limit).
    public func flush() async throws -> [(file: URL, outcome: DeliveryOutcome)] {
        var outcomes: [(URL, DeliveryOutcome)] = []
        for file in spool.pending() {
            guard let payload = FileManager.default.contents(atPath: file.path) else { continue }
            let outcome = try await send(file: file, payload: payload)
            outcomes.append((file, outcome))
            switch outcome {
            case .spooled, .rateLimited: return outcomes
            case .stored, .rejected: continue
            }
        }
        return outcomes
    }

    private func send(file: URL, payload: Data) async throws -> DeliveryOutcome {
        var uploader = self.uploader
        if uploader.installToken == nil { uploader.installToken = receipts?.installToken(for: uploader.server) }
        switch await uploader.upload(payload) {
        case .stored(let receipt):
            // The tokens are recorded before the spool copy goes: a crash in between leaves a
            // copy to resend (the server answers it as a duplicate), never a lost token.
            try receipts?.record(receipt, server: uploader.server)
            try spool.remove(file)
            return .stored(receipt)
        case .rejected(let status, let problem):
            return .rejected(status: status, problem: problem, keptAt: try spool.reject(file))
        case .unavailable(let reason):
            return .spooled(reason: reason, at: file)
        case .rateLimited(let seconds):
            return .rateLimited(retryAfterSeconds: seconds, at: file)
        }
    }
}

extension ProblemDetails {
    /// The problem as lines for a terminal: title, detail, then each field error.
    public var readable: String {
        var lines = ["\(title) (HTTP \(status))"]
        if let detail { lines.append(detail) }
        for issue in errors ?? [] { lines.append("  - \(issue.field): \(issue.reason)") }
        return lines.joined(separator: "\n")
    }
}
