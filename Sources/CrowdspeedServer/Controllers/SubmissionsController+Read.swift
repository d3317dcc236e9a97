import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Hummingbird

extension SubmissionsController {
    /// `GET /api/v1/submissions/{id}`: the submission as sent, raw samples included, plus what
    /// the server added (`machine_id`, `received_at`, links). 400 for an id that is not a UUID,
    /// 404 for an unknown one.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<SubmissionDocument>
    {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw) else {
            throw APIError.badParameter("id", "is not a UUID")
        }
        guard let stored = try await store.submission(id: id) else {
            throw APIError.notFound("No submission with id \(id.uuidString.lowercased())")
        }
        return JSONResponse(
            value: SubmissionDocument(
                stored: stored,
                links: ["self": Self.link(id), "machine": MachinesController.link(stored.machineID)]))
    }
}
