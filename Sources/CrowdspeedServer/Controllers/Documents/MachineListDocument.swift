import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/machines`: one page of machines, the total, and links to this page
/// and the next one (absent on the last page).
struct MachineListDocument: Encodable, Sendable {
    var machines: [MachineSummary]
    var total: Int
    var limit: Int
    var offset: Int
    var links: [String: String]
}
