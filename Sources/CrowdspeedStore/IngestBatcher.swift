import Foundation
import GRDB
import Synchronization

/// Group commit for ingestion: concurrent ingests are collected and written by a single writer
/// in one transaction per batch, each inside its own savepoint, and every caller is resumed with
/// its own outcome only after the batch's commit returned.
///
/// Why: with the durable setting every commit waits for an fsync of the WAL, and a commit per
/// submission caps ingestion at the disk's fsync rate whatever the CPU could do. One fsync per
/// batch amortizes it over every submission that arrived while the previous batch was being
/// written, so batches grow by themselves under load and stay at one submission when idle
/// (no timer, no added latency for a lone request).
///
/// Semantics kept from one transaction per submission:
/// - a submission that fails (an id conflict, a constraint) rolls back its savepoint only; the
///   others in the batch commit;
/// - an acknowledgement (a resumed caller) means committed: callers are resumed after
///   `write` returns, and with the commit's error if the commit itself failed;
/// - submissions are written in arrival order, so a duplicate id later in the same batch sees
///   the first one and is stored once.
final class IngestBatcher: Sendable {
    /// One submission's write, run inside its savepoint on the writer connection.
    typealias Work = @Sendable (Database) throws -> IngestResult

    private struct Pending: Sendable {
        let work: Work
        let continuation: CheckedContinuation<IngestResult, any Error>
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        /// Submissions ever queued.
        var received = 0
        /// The running drain loop, nil when none runs; it ends only after finding nothing
        /// pending. Kept so that ``close()`` can wait for it.
        var drain: Task<Void, Never>?
        /// Set by ``close()``: later submissions are refused.
        var closed = false
    }

    private let writer: any DatabaseWriter
    private let maximumBatch: Int
    /// Told of every committed batch (the WAL checkpointer, the server's metrics).
    private let observer: IngestBatchObserver
    private let state = Mutex(State())
    /// The sizes of the most recent batches written, in order (read by tests to see that
    /// batching happened); at most `keptBatchSizes`.
    private let writtenBatches = Mutex<[Int]>([])
    private static let keptBatchSizes = 256

    /// Creates a batcher over `writer`; a batch holds at most `maximumBatch` submissions, which
    /// bounds how long the write lock is held at once.
    init(writer: any DatabaseWriter, maximumBatch: Int = 64, observer: @escaping IngestBatchObserver = { _ in }) {
        self.writer = writer
        self.maximumBatch = max(1, maximumBatch)
        self.observer = observer
    }

    /// Queues `work` and returns its outcome once the batch holding it has committed.
    ///
    /// - Throws: what `work` threw (its savepoint was rolled back, the rest of its batch is
    ///   unaffected), or the error of the batch's transaction (nothing of the batch stored).
    func submit(_ work: @escaping Work) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { continuation in
            let refused = state.withLock { state -> Bool in
                guard !state.closed else { return true }
                state.pending.append(Pending(work: work, continuation: continuation))
                state.received += 1
                // The drain runs in its own task so that no caller's answer waits for batches
                // that arrived after its own; it ends as soon as the queue is empty. It is
                // started under the lock so that ``close()`` always sees the latest one.
                if state.drain == nil { state.drain = Task { await self.drain() } }
                return false
            }
            if refused { continuation.resume(throwing: Self.closedError) }
        }
    }

    /// Refuses further submissions and returns once everything already queued is written (its
    /// callers resumed) and the drain task has ended, so that nothing of the batcher touches
    /// the database afterwards.
    func close() async {
        let running = state.withLock { state -> Task<Void, Never>? in
            state.closed = true
            return state.drain
        }
        await running?.value
    }

    /// What a submission after ``close()`` fails with: GRDB's own error for a closed database.
    static let closedError = DatabaseError(resultCode: .SQLITE_MISUSE, message: "the store is closed")

    /// Submissions ever queued (taken into a batch or not).
    var receivedCount: Int { state.withLock { $0.received } }

    /// Whether ``close()`` was called (read by tests to order a close before a release).
    var isClosed: Bool { state.withLock { $0.closed } }

    /// The sizes of the most recent batches written (up to 256), oldest first.
    var batchSizes: [Int] { writtenBatches.withLock { $0 } }

    /// Writes batches until none is pending.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                guard !state.pending.isEmpty else {
                    state.drain = nil
                    return []
                }
                let batch = Array(state.pending.prefix(maximumBatch))
                state.pending.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            writtenBatches.withLock { sizes in
                // Only the most recent are kept: a server runs for months.
                if sizes.count == Self.keptBatchSizes { sizes.removeFirst() }
                sizes.append(batch.count)
            }
            let works = batch.map(\.work)
            do {
                // Timed from inside the write (the lock is held) to the commit's return.
                let (started, outcomes) = try await writer.write {
                    db -> (ContinuousClock.Instant, [Result<IngestResult, any Error>]) in
                    let started = ContinuousClock.now
                    return (
                        started,
                        works.map { work in
                            Result {
                                var outcome: IngestResult?
                                try db.inSavepoint {
                                    outcome = try work(db)
                                    return .commit
                                }
                                guard let outcome else {
                                    throw DatabaseError(
                                        resultCode: .SQLITE_INTERNAL, message: "savepoint without outcome")
                                }
                                return outcome
                            }
                        }
                    )
                }
                let held = ContinuousClock.now - started
                observer(
                    IngestBatchReport(
                        submissions: batch.count,
                        writerNanoseconds: held.components.seconds * 1_000_000_000
                            + held.components.attoseconds / 1_000_000_000))
                for (pending, outcome) in zip(batch, outcomes) { pending.continuation.resume(with: outcome) }
            } catch {
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }
}
