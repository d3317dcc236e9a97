import Foundation
/// Settings every page shares, fixed at startup.
public struct SiteSettings: Sendable, Equatable {
    /// Demo mode: every page carries the synthetic-data banner.
    public var demo: Bool
    /// Whether `/vendor/chart.js` is served; without it pages say charts are unavailable and
    /// keep their tables.
    public var chartsAvailable: Bool
    /// The URL agents submit to, when the operator configured one.
    public var publicURL: String?

    /// Creates settings.
    public init(demo: Bool = false, chartsAvailable: Bool = true, publicURL: String? = nil) {
        self.demo = demo
        self.chartsAvailable = chartsAvailable
        self.publicURL = publicURL
    }
}
