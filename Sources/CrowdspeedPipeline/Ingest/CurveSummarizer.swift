import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Logging

/// Computes and stores the summaries of machine-curve windows (the machine page's curves and
/// best sizes) after the writes that changed them have committed, outside the store's writer.
///
/// Work is coalesced per machine key: when a key's summary is being computed and more
/// submissions of the same machine commit, they wait for one more computation that starts after
/// the running one and summarizes the newest window any of them committed, rather than one
/// bootstrap each. So a machine submitting at a high rate costs one bootstrap per batch, and a
/// caller still returns only once a summary at least as new as its own write is stored.
///
/// A summary that could not be stored (the process stopped in between, a database error) is
/// behind its window; ``summarizeStale(machineID:)`` finds and redoes those.
public actor CurveSummarizer {
    private let store: any CurveStore
    private let logger: Logger
    /// Bootstrap resamples per summary.
    private let replicates: Int
    /// Per key: the computation running, and the one queued behind it with the newest window
    /// its waiters committed.
    private var running: [MachineCurveKey: Task<Void, Never>] = [:]
    private var queued: [MachineCurveKey: (task: Task<Void, Never>, window: CurveWindow)] = [:]

    /// Creates a summarizer writing to `store`.
    public init(store: any CurveStore, replicates: Int = 400, logger: Logger = Logger(label: "crowdspeed.pipeline")) {
        self.store = store
        self.replicates = replicates
        self.logger = logger
    }

    /// Summarizes `windows` (each at the revision its caller committed) and returns once a
    /// summary of that revision or a newer one is stored, or the attempt failed (logged).
    public func summarize(_ windows: [CurveWindow]) async {
        await withTaskGroup(of: Void.self) { group in
            for window in windows {
                group.addTask { await self.summarize(window) }
            }
        }
    }

    /// Summarizes every window whose summary is behind, of `machineID` or of every machine;
    /// returns how many were summarized.
    @discardableResult
    public func summarizeStale(machineID: String? = nil) async throws -> Int {
        var total = 0
        while true {
            let stale = try await store.staleCurveWindows(machineID: machineID, limit: 256)
            guard !stale.isEmpty else { return total }
            for window in stale { await summarize(window) }
            total += stale.count
            // A window that keeps failing to store would loop forever; the next pass retries it.
            if stale.count < 256 { return total }
        }
    }

    private func summarize(_ window: CurveWindow) async {
        let key = window.key
        if let waiting = queued[key] {
            // Join the queued computation, making sure it summarizes at least this revision.
            if window.revision > waiting.window.revision { queued[key] = (waiting.task, window) }
            await waiting.task.value
            return
        }
        if let current = running[key] {
            let task = Task {
                await current.value
                await self.runQueued(key)
            }
            queued[key] = (task, window)
            await task.value
            return
        }
        let task = Task { await self.compute(window) }
        running[key] = task
        await task.value
        if running[key] == task { running[key] = nil }
    }

    /// Promotes the queued computation of `key` to running and performs it.
    private func runQueued(_ key: MachineCurveKey) async {
        guard let next = queued.removeValue(forKey: key) else { return }
        running[key] = next.task
        await compute(next.window)
        if running[key] == next.task { running[key] = nil }
    }

    /// The bootstrap and the store's conditional write.
    private nonisolated func compute(_ window: CurveWindow) async {
        let summary = MachineCurveSummary.summarize(
            window.curve, submissionCount: window.submissionCount, seed: Self.seed(window.key), replicates: replicates)
        do {
            try await store.saveCurveSummary(summary, of: window)
        } catch {
            logger.warning(
                "curve summary not stored; it will be redone",
                metadata: ["machine": "\(window.key.machineID)", "error": "\(error)"])
        }
    }

    /// A stable 64-bit seed for `key`: the same data always gives the same interval.
    public static func seed(_ key: MachineCurveKey) -> UInt64 {
        FNV1a.hash64(joining: [
            key.machineID, key.implementation, key.interpreterVersion, key.benchmark, key.benchmarkVersion,
            String(key.procs), key.pypyGCMinPinned ? "pinned" : "coupled",
        ])
    }
}
