import Foundation

/// The overview's headline numbers.
public struct DashboardCounts: Sendable, Equatable, Codable {
    public var machines: Int
    public var submissions: Int
    public var samples: Int
    /// Distinct (implementation, version) pairs measured.
    public var interpreters: Int
    /// When the newest submission arrived; nil on an empty server.
    public var lastReceivedAt: Date?

    public init(machines: Int, submissions: Int, samples: Int, interpreters: Int, lastReceivedAt: Date?) {
        self.machines = machines
        self.submissions = submissions
        self.samples = samples
        self.interpreters = interpreters
        self.lastReceivedAt = lastReceivedAt
    }
}
