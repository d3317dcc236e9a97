import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The body of `GET /api/v1/machines/{id}`: the machine's summary, its hardware as last
/// reported, its runs and its curves, with `links`.
public struct MachineDocument: Codable, Sendable, Equatable {
    public var summary: MachineSummaryDocument
    public var hardware: MachineInfo
    public var submissions: [SubmissionRefDocument]
    public var curves: [MachineCurve]
    public var links: [String: String]

    /// The document of one stored machine.
    public init(_ detail: MachineDetail, links: [String: String]) {
        summary = MachineSummaryDocument(detail.summary)
        hardware = detail.hardware
        submissions = detail.submissions.map(SubmissionRefDocument.init)
        curves = detail.curves
        self.links = links
    }
}
