import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Logging

/// Keeps the per-machine figures of the version comparisons (``ComparisonStore``) up to date
/// after the writes that change them, outside the store's writer: per (machine, interpreter),
/// it reads the most recent visible submissions (``StatisticWindow/submissionLimit``), derives
/// the figures and replaces the stored ones.
///
/// Refreshes of one (machine, interpreter) are serialized and coalesced: a refresh that arrives
/// while one runs waits for a single further refresh that starts after the running one, so its
/// read sees every write committed before it, and a fast submitter costs one refresh per batch.
public actor StatisticsRefresher {
    private struct Key: Hashable {
        var machineID: String
        var interpreter: InterpreterKey
    }

    private let store: any ComparisonStore
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var running: [Key: Task<Void, Never>] = [:]
    private var queued: [Key: Task<Void, Never>] = [:]

    /// Creates a refresher writing to `store`.
    public init(
        store: any ComparisonStore, logger: Logger = Logger(label: "crowdspeed.pipeline"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.logger = logger
        self.now = now
    }

    /// Refreshes every interpreter of `machineID` (after a deletion or a moderation).
    public func refresh(machineID: String) async throws {
        for interpreter in try await store.statisticInterpreters(machineID: machineID) {
            await refresh(machineID: machineID, interpreter: interpreter)
        }
    }

    /// Refreshes one machine and interpreter; returns once a refresh that started after this call
    /// has finished (or failed, logged: the next write of that machine and interpreter redoes it).
    public func refresh(machineID: String, interpreter: InterpreterKey) async {
        let key = Key(machineID: machineID, interpreter: interpreter)
        if let waiting = queued[key] {
            await waiting.value
            return
        }
        if let current = running[key] {
            let task = Task {
                await current.value
                await self.runQueued(key)
            }
            queued[key] = task
            await task.value
            return
        }
        let task = Task { await self.compute(key) }
        running[key] = task
        await task.value
        if running[key] == task { running[key] = nil }
    }

    /// Promotes the queued refresh of `key` to running and performs it.
    private func runQueued(_ key: Key) async {
        guard let next = queued.removeValue(forKey: key) else { return }
        running[key] = next
        await compute(key)
        if running[key] == next { running[key] = nil }
    }

    /// The read, the derivation and the replacing write.
    private nonisolated func compute(_ key: Key) async {
        do {
            let submissions = try await store.recentVisibleSubmissions(
                machineID: key.machineID, interpreter: key.interpreter, limit: StatisticWindow.submissionLimit)
            try await store.replaceMachineStatistics(
                StatisticWindow.statistics(from: submissions), machineID: key.machineID,
                interpreter: key.interpreter, at: now())
        } catch {
            logger.warning(
                "machine statistics not refreshed",
                metadata: ["machine": "\(key.machineID)", "interpreter": "\(key.interpreter)", "error": "\(error)"])
        }
    }
}
