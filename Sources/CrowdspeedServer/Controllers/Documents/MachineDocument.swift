import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/machines/{id}`: the store's detail (summary, hardware, runs) with
/// `links` added at the top level.
struct MachineDocument: Encodable, Sendable {
    var detail: MachineDetail
    var links: [String: String]

    private enum AddedKeys: String, CodingKey {
        case links
    }

    /// Writes the detail's keys, then the links, into the same JSON object.
    func encode(to encoder: any Encoder) throws {
        try detail.encode(to: encoder)
        var container = encoder.container(keyedBy: AddedKeys.self)
        try container.encode(links, forKey: .links)
    }
}
