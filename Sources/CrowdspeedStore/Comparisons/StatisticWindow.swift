import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// How the stored per-machine figures are derived, in one place for the pipeline's refreshes and
/// the backfill of migration 0010.
public enum StatisticWindow {
    /// The most recent visible submissions of one machine and interpreter that its figures rest
    /// on. Bounded so that a refresh costs the same for a machine with 5 submissions or 5000;
    /// 20 runs of one interpreter already pin each median far below the 2% threshold.
    public static let submissionLimit = 20

    /// The figures of one machine and interpreter from its most recent visible submissions
    /// (every source: a demo server's data are synthetic, and a submission's source is shown
    /// with it elsewhere).
    public static func statistics(from submissions: [Submission]) -> [MachineStatistic] {
        MachineStatistic.statistics(from: Array(submissions.prefix(submissionLimit)))
    }
}
