import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/api/v1/admin`: the operator's moderation API, behind the admin bearer token.
///
/// The server holds only the token's SHA-256 (from `--admin-token-file` or
/// `CROWDSPEED_ADMIN_TOKEN_HASH`); a request's token is hashed and compared in constant time.
/// Without a configured hash every admin route answers 403: the API is off.
public struct AdminController: Sendable {
    /// Moderation goes through the pipeline (which re-summarizes what it hides or shows).
    let pipeline: Pipeline
    /// The audit log's reads.
    var store: any ResultStore { pipeline.stores.results }
    /// The admin token's digest, nil when the admin API is disabled.
    let tokenHash: String?
    let now: @Sendable () -> Date

    /// The path the routes are mounted at.
    public static let basePath = "/api/v1/admin"
    /// Largest admin request body: a kind, an id and a reason.
    static let maxBodyBytes = 16 << 10

    /// Creates the controller.
    public init(pipeline: Pipeline, tokenHash: String?, now: @escaping @Sendable () -> Date) {
        self.pipeline = pipeline
        self.tokenHash = tokenHash
        self.now = now
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post("quarantine") { request, context in try await moderate(request, context: context, quarantined: true)
        }
        routes.post("release") { request, context in try await moderate(request, context: context, quarantined: false) }
        routes.get("audit", use: audit)
        return routes
    }

    /// The body of quarantine and release requests.
    struct ModerationRequest: Decodable {
        var kind: String
        var id: String
        var reason: String?
    }

    /// The answer to quarantine and release.
    struct ModerationDocument: Encodable {
        var kind: String
        var id: String
        var quarantined: Bool
        /// False when the target already was in the requested state.
        var changed: Bool
    }

    /// The answer to `GET audit`.
    struct AuditDocument: Encodable {
        var entries: [AuditEntryDocument]
    }

    /// `POST quarantine` / `POST release` with `{"kind": "submission"|"install"|"machine", "id": …,
    /// "reason": …}`: 200 with the new state, 404 for an unknown target, 400 for a bad body.
    @Sendable func moderate(_ request: Request, context: AppRequestContext, quarantined: Bool) async throws
        -> JSONResponse<ModerationDocument>
    {
        try authorize(request)
        let contentType = request.headers[.contentType]
        guard SubmissionsController.isJSON(contentType) else { throw APIError.unsupportedMediaType(contentType) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: Self.maxBodyBytes)
        }
        let input: ModerationRequest
        do {
            input = try JSONDecoder().decode(ModerationRequest.self, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            let issue = FieldIssue(decodingError: error)
            throw APIError(.badRequest, detail: "The body is not a moderation request: \(issue)", issues: [issue])
        }
        guard let target = ModerationTarget(kind: input.kind, id: input.id) else {
            if !["submission", "install", "machine"].contains(input.kind) {
                throw APIError.badParameter("kind", "must be submission, install or machine")
            }
            throw APIError.badParameter("id", "is not a \(input.kind) id")
        }
        if let reason = input.reason, let problem = TextRules.problem(reason, maxLength: 500, allowEmpty: true) {
            throw APIError.badParameter("reason", problem)
        }
        let outcome = try await pipeline.setQuarantine(
            target, quarantined: quarantined, reason: input.reason, actor: "admin-api", at: now())
        guard outcome != .notFound else { throw APIError.notFound("No \(target.kind) with id \(target.id)") }
        context.logger.notice(
            quarantined ? "quarantined" : "released",
            metadata: [
                "target": .string(target.description), "changed": .stringConvertible(outcome == .changed),
            ])
        return JSONResponse(
            value: ModerationDocument(
                kind: target.kind, id: target.id, quarantined: quarantined, changed: outcome == .changed))
    }

    /// `GET audit?limit=`: the most recent audit entries, newest first (default 100, at most 1000).
    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<AuditDocument> {
        try authorize(request)
        let limit = min(
            try MachinesController.integer(request.uri.queryParameters, "limit", default: 100, minimum: 1), 1000)
        return JSONResponse(
            value: AuditDocument(entries: try await store.auditLog(limit: limit).map(AuditEntryDocument.init)))
    }

    /// Checks the bearer token: 403 when the admin API is off or the token is wrong, 401 when none is sent.
    func authorize(_ request: Request) throws {
        guard let tokenHash else { throw APIError.forbidden("The admin API is disabled: no admin token is configured") }
        guard let authorization = request.headers[.authorization] else {
            throw APIError.unauthorized("The admin API needs Authorization: Bearer <admin token>")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("The admin API needs Authorization: Bearer <admin token>")
        }
        guard SecretToken.constantTimeEqual(SecretToken.digest(String(parts[1])), tokenHash) else {
            throw APIError.forbidden("The admin token is not valid")
        }
    }
}
