import Foundation

/// What the server answers to an accepted submission (201, or 200 for a repeated id).
public struct SubmissionReceipt: Codable, Sendable, Equatable {
    public var id: UUID
    public var machineID: String
    /// `created` the first time, `duplicate` when the id was already stored.
    public var status: String
    public var links: [String: String]
    /// The secret that lets the submitter delete this submission (`DELETE` with
    /// `Authorization: Bearer <token>`). Sent once, with the 201 (or when the submitter's install
    /// repeats the submission); the server keeps only its SHA-256, so a lost token cannot be re-read.
    public var deletionToken: String?
    /// A new install token, present when the request carried no known `X-Crowdspeed-Install`:
    /// the client keeps it and sends it with every later upload.
    public var installToken: String?

    public init(
        id: UUID, machineID: String, status: String, links: [String: String], deletionToken: String? = nil,
        installToken: String? = nil
    ) {
        self.id = id
        self.machineID = machineID
        self.status = status
        self.links = links
        self.deletionToken = deletionToken
        self.installToken = installToken
    }

    enum CodingKeys: String, CodingKey {
        case id
        case machineID = "machine_id"
        case status, links
        case deletionToken = "deletion_token"
        case installToken = "install_token"
    }
}

/// An RFC 9457 problem details body (`application/problem+json`). `errors` lists every invalid
/// field with its path (`results[2].samples[0].cpu_ms`) and the reason.
public struct ProblemDetails: Codable, Sendable, Equatable, Error {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var errors: [FieldIssue]?

    public init(
        type: String = "about:blank", title: String, status: Int, detail: String? = nil, errors: [FieldIssue]? = nil
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.errors = errors
    }

    /// The media type of problem bodies.
    public static let mediaType = "application/problem+json"
}

/// One invalid field: where it is and why it is refused.
public struct FieldIssue: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
