import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

extension SubmissionsController {
    /// `POST /api/v1/submissions`: 201 with a receipt for a new id, 200 with status `duplicate`
    /// for an id already stored with the same content, and a problem for anything else — 415
    /// for a non-JSON body, 413 above the size limit, 400 when the body is not a well-formed
    /// submission, 422 when it breaks a rule of the format, 409 when the id is taken by different
    /// content. A refused submission changes nothing: the store sees only validated ones, and
    /// stores each in one transaction.
    @Sendable func ingest(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<
        SubmissionReceipt
    > {
        let contentType = request.headers[.contentType]
        guard Self.isJSON(contentType) else { throw APIError.unsupportedMediaType(contentType) }

        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.contentTooLarge(limit: limits.maxBodyBytes)
        }

        let submission: Submission
        do {
            submission = try Submission.decode(from: Data(body.readableBytesView))
        } catch {
            throw APIError.malformed(error)
        }
        let receivedAt = now()
        // A SubmissionRejection from here on is a rule broken by well-formed data; the problem
        // mapping answers it with 422. The ingestor validates, derives the curve aggregates and
        // stores both in one transaction: the same path `crowdspeed simulate` takes.

        // Tokens are made before the write and only their digests reach the store; the ones the
        // store did not use are simply dropped.
        let presentedInstall = request.headers[RateLimitMiddleware.installHeader].flatMap {
            SecretToken.isWellFormed($0) ? $0 : nil
        }
        let newInstallToken = SecretToken.generate()
        let deletionToken = SecretToken.generate()
        // The address block, as a keyed hash: enough for the fit to cap one network's weight,
        // never the address.
        let origin = ClientAddress.of(request, context: context, trustForwardedFor: trustForwardedFor)
            .flatMap(ClientAddress.block).map(originKey.origin(ofBlock:))
        let ingestStart = DispatchTime.now().uptimeNanoseconds
        let result = try await pipeline.ingest(
            submission, receivedAt: receivedAt,
            credentials: IngestCredentials(
                presentedInstallHash: presentedInstall.map(SecretToken.digest),
                newInstallHash: SecretToken.digest(newInstallToken),
                deletionHash: SecretToken.digest(deletionToken), origin: origin))
        // The store returned after its commit: from here on the submission is acknowledged.
        metrics.ingest(
            nanoseconds: Int64(clamping: DispatchTime.now().uptimeNanoseconds &- ingestStart),
            samples: submission.results.reduce(0) { $0 + $1.samples.count })
        let (machineID, created) =
            switch result.outcome {
            case .created(let machineID): (machineID, true)
            case .duplicate(let machineID): (machineID, false)
            }
        let location = Self.link(submission.id)
        let receipt = SubmissionReceipt(
            id: submission.id, machineID: machineID, status: created ? "created" : "duplicate",
            links: ["self": location, "machine": MachinesController.link(machineID)],
            deletionToken: result.deletionIssued ? deletionToken : nil,
            installToken: result.installIssued ? newInstallToken : nil)
        context.logger.info(
            created ? "submission stored" : "submission repeated",
            metadata: [
                "submission": .string(submission.id.uuidString.lowercased()),
                "machine": .string(machineID),
                "results": .stringConvertible(submission.results.count),
                "samples": .stringConvertible(submission.results.reduce(0) { $0 + $1.samples.count }),
                "install": .string(result.installID ?? "none"),
            ])
        if let flag = result.flagReason {
            context.logger.notice(
                "submission flagged",
                metadata: [
                    "submission": .string(submission.id.uuidString.lowercased()), "flag": .string(flag),
                ])
        }
        var headers = HTTPFields()
        headers[.location] = location
        // The receipt carries secrets (deletion and install tokens): no cache may keep it.
        headers[.cacheControl] = "no-store"
        return JSONResponse(value: receipt, status: created ? .created : .ok, headers: headers)
    }

    /// Whether a `Content-Type` declares JSON in UTF-8 (`application/json`, optionally with
    /// `charset=utf-8`). JSON has no other legal encoding on the wire (RFC 8259 §8.1).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard parts.first == "application/json" else { return false }
        for parameter in parts.dropFirst() where parameter.hasPrefix("charset=") {
            let charset = parameter.dropFirst("charset=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if charset != "utf-8" && charset != "utf8" { return false }
        }
        return true
    }
}
