import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/api/v1/verifications`: verification results of `crowdspeed-agent verify` (the gain a
/// recommended nursery size realized on a volunteer's machine), stored and listed.
public struct VerificationsController: Sendable {
    /// Where verifications are validated and stored.
    let pipeline: Pipeline
    /// The receiving clock.
    let now: @Sendable () -> Date
    /// Names each verification's network origin, as for submissions.
    let originKey: NetworkOriginKey
    /// Whether the client's address is the trusted proxy's last `X-Forwarded-For` entry.
    let trustForwardedFor: Bool

    /// The path the collection is mounted at.
    public static let basePath = "/api/v1/verifications"
    /// List size when the client gives none, and the largest served.
    static let defaultLimit = 100
    static let maxLimit = 1_000

    /// Creates the controller.
    public init(
        pipeline: Pipeline, now: @escaping @Sendable () -> Date, originKey: NetworkOriginKey, trustForwardedFor: Bool
    ) {
        self.pipeline = pipeline
        self.now = now
        self.originKey = originKey
        self.trustForwardedFor = trustForwardedFor
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.post(use: ingest)
        routes.get(use: list)
        return routes
    }

    /// `POST /api/v1/verifications`: 201 for a new id, 200 `duplicate` for an id stored with the
    /// same content, and a problem otherwise: 415 for a non-JSON body, 413 above the size limit,
    /// 400 for a body that is not a verification, 422 for a broken rule or a machine the server
    /// has no data of, 409 for an id taken by different content. A refused one changes nothing.
    @Sendable func ingest(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<
        VerificationReceipt
    > {
        let contentType = request.headers[.contentType]
        guard SubmissionsController.isJSON(contentType) else { throw APIError.unsupportedMediaType(contentType) }
        let maxBytes = pipeline.verificationLimits.maxBodyBytes
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: maxBytes)
        }
        // A DecodingError is answered 400 by the problem mapping; a broken rule 422.
        let verification = try WireCoding.makeDecoder().decode(Verification.self, from: Data(body.readableBytesView))
        // The install token is only looked up (its digest): verifications never create installs.
        let install = request.headers[RateLimitMiddleware.installHeader].flatMap {
            SecretToken.isWellFormed($0) ? SecretToken.digest($0) : nil
        }
        let origin = ClientAddress.of(request, context: context, trustForwardedFor: trustForwardedFor)
            .flatMap(ClientAddress.block).map(originKey.origin(ofBlock:))
        let outcome = try await pipeline.ingest(
            verification, receivedAt: now(), installTokenHash: install, origin: origin)
        let created: Bool
        switch outcome {
        case .created: created = true
        case .duplicate: created = false
        case .unknownMachine:
            throw APIError(
                .unprocessableContent,
                detail:
                    "The server has no data of machine \(verification.machineID): upload a run from it first (crowdspeed-agent run)",
                issues: [FieldIssue(field: "machine_id", reason: "is not a machine this server has data of")])
        }
        context.logger.info(
            created ? "verification stored" : "verification repeated",
            metadata: [
                "verification": .string(verification.id.uuidString.lowercased()),
                "machine": .string(verification.machineID),
            ])
        let receipt = VerificationReceipt(
            id: verification.id, machineID: verification.machineID, status: created ? "created" : "duplicate",
            links: [
                "machine": MachinesController.link(verification.machineID),
                "verifications": "\(Self.basePath)?machine=\(verification.machineID)",
            ])
        return JSONResponse(value: receipt, status: created ? .created : .ok)
    }

    /// `GET /api/v1/verifications?formula_version=&machine=&source=&limit=`: the visible
    /// verifications, most recent first, with the realized gains per formula version over them.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<
        VerificationListDocument
    > {
        let query = QueryReader(parameters: request.uri.queryParameters)
        try query.check(allowed: ["formula_version", "machine", "source", "limit"])
        let machine = try query.identifier("machine")
        if let machine, !MachinesController.isMachineID(machine) {
            throw APIError.badParameter("machine", "must be m- followed by 16 lowercase hex digits")
        }
        let source = try query.string("source").map { text in
            guard let kind = Verification.SizeSource.Kind(rawValue: text) else {
                throw APIError.badParameter(
                    "source",
                    "must be one of \(Verification.SizeSource.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return kind
        }
        let version = try query.integer("formula_version", in: 1...1_000_000_000).map { Int($0) }
        let limit = Int(try query.integer("limit", in: 1...Int64(Self.maxLimit)) ?? Int64(Self.defaultLimit))
        let stored = try await pipeline.stores.verifications.verifications(
            VerificationQuery(formulaVersion: version, machineID: machine, sizeSource: source, limit: limit))
        return JSONResponse(
            value: VerificationListDocument(
                verifications: stored.map { .init(receivedAt: $0.receivedAt, verification: $0.verification) },
                realizedGains: RealizedGains.byFormula(stored.compactMap { VerifiedGain($0.verification) })))
    }
}

/// The body of `GET /api/v1/verifications`.
struct VerificationListDocument: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var receivedAt: Date
        var verification: Verification

        enum CodingKeys: String, CodingKey {
            case receivedAt = "received_at"
            case verification
        }
    }

    var verifications: [Entry]
    /// Per formula version, over the listed verifications of that version's sizes.
    var realizedGains: [RealizedGains]

    enum CodingKeys: String, CodingKey {
        case verifications
        case realizedGains = "realized_gains"
    }
}
