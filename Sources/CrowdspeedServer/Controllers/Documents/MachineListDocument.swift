import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/machines`: one page of machines, the total, and links to this page
/// and the next one (absent on the last page).
public struct MachineListDocument: Codable, Sendable, Equatable {
    public var machines: [MachineSummaryDocument]
    public var total: Int
    public var limit: Int
    public var offset: Int
    public var links: [String: String]

    /// The document of one stored page; `limit` and `offset` are the ones the request asked for.
    public init(_ page: MachinePage, limit: Int, offset: Int, links: [String: String]) {
        machines = page.machines.map(MachineSummaryDocument.init)
        total = page.total
        self.limit = limit
        self.offset = offset
        self.links = links
    }
}
