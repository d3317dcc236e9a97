import CrowdspeedCore
import Foundation

/// Fixed receipt times, a minute apart, so aggregates can be checked exactly.
public func receivedAt(_ minute: Int) -> Date {
    RFC3339.parse("2026-11-25T19:00:00.000Z")!.addingTimeInterval(TimeInterval(minute * 60))
}
