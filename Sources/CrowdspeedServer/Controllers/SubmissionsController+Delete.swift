import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension SubmissionsController {
    /// The alternative to `Authorization: Bearer` for clients that cannot set it.
    static let deletionTokenHeader = HTTPField.Name("X-Deletion-Token")!

    /// `DELETE /api/v1/submissions/{id}` with the deletion token from the 201 receipt, as
    /// `Authorization: Bearer <token>` or `X-Deletion-Token: <token>`: 204 once the submission and
    /// its samples are gone (the machine's aggregates corrected in the same transaction), 401
    /// without a token, 403 for a wrong one, 404 for an unknown id, 400 for an id that is not a UUID.
    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else { throw APIError.badParameter("id", "is not a UUID") }
        guard let token = Self.deletionToken(request.headers) else {
            throw APIError.unauthorized("Deleting a submission needs its deletion token: Authorization: Bearer <token>")
        }
        // A token of the wrong shape cannot match; it is hashed all the same so that the answer
        // takes the same path (and time) as for a wrong well-formed token.
        // The pipeline also summarizes the machine's curves from what remains, so its page and
        // `?machine=` stop showing the deleted samples' estimate.
        let outcome = try await pipeline.deleteSubmission(
            id: id, deletionTokenHash: SecretToken.digest(token), at: now())
        switch outcome {
        case .deleted(let machineID, let machineRemoved):
            context.logger.info(
                "submission deleted",
                metadata: [
                    "submission": .string(id.uuidString.lowercased()), "machine": .string(machineID),
                    "machine_removed": .stringConvertible(machineRemoved),
                ])
            return Response(status: .noContent)
        case .notFound:
            throw APIError.notFound("No submission with id \(id.uuidString.lowercased())")
        case .forbidden:
            throw APIError.forbidden("The deletion token does not match this submission")
        }
    }

    /// The token from `Authorization: Bearer …` or `X-Deletion-Token`; nil when neither is given.
    static func deletionToken(_ headers: HTTPFields) -> String? {
        if let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                return String(parts[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return headers[deletionTokenHeader]?.trimmingCharacters(in: .whitespaces)
    }
}
