import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// Tells the background refit when to look whether a fit is due: at once when new submissions
/// that may make one due are stored, so the first formula (and each next one) is fitted when
/// the `--refit-after`-th submission arrives, not at the next interval tick.
///
/// Notices coalesce: however many arrive while the refit is busy, it sees one. The refit still
/// decides from the store's counters whether a fit is due; the signal only says when to look.
public final class RefitSignal: Sendable {
    /// Why the listener should look.
    public enum Notice: Sendable, Equatable {
        /// Submissions that may make a refit due were stored.
        case submissions
        /// The refit's interval passed.
        case interval
    }

    private let stream: AsyncStream<Notice>
    private let continuation: AsyncStream<Notice>.Continuation

    /// A signal with no listener yet.
    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Notice.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the listener to look.
    public func notify(_ notice: Notice = .submissions) { continuation.yield(notice) }

    /// The notices, coalesced, for the one listener (the refit service). Iteration ends when the
    /// listening task is cancelled.
    public var notices: AsyncStream<Notice> { stream }
}
