import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Logging
import ServiceLifecycle

/// Rebuilds the public snapshot on a schedule (`crowdspeed serve --snapshot-every 24h`): a
/// `Service` in the application's service group.
///
/// Each run writes the snapshot (``SnapshotStore``) to a temporary name in the shelf's
/// directory, digests it, and only then renames it over the offered file and writes its
/// description: a download never sees a half-written file (one already streaming keeps the old
/// file open), and a crash leaves the previous snapshot on offer. A failed run is logged and
/// retried at the next tick; the previous snapshot stays on offer.
public struct SnapshotPublisher: Service {
    let store: any SnapshotStore
    let shelf: SnapshotShelf
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger

    /// Creates the publisher; `now` is the snapshot's date (tests fix it).
    public init(
        store: any SnapshotStore, shelf: SnapshotShelf, interval: Duration,
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.store = store
        self.shelf = shelf
        self.interval = interval
        self.now = now
        self.logger = logger
    }

    /// Publishes when the offered snapshot is older than the interval (at once on a new
    /// server), then every interval, until graceful shutdown.
    public func run() async throws {
        do {
            try await publishOnSchedule()
        } catch is CancellationError {
            // Graceful shutdown cancels the sleep: the service's normal end, not a failure.
        }
    }

    private func publishOnSchedule() async throws {
        try await cancelWhenGracefulShutdown {
            if let last = shelf.snapshot {
                let age = now().timeIntervalSince(last.createdAt)
                let remaining = interval.seconds - age
                if remaining > 0 { try await Task.sleep(for: .seconds(remaining)) }
            }
            while true {
                do {
                    try await publishOnce()
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.error("snapshot failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }

    /// Writes, digests and offers one snapshot.
    @discardableResult
    public func publishOnce() async throws -> PublishedSnapshot {
        try FileManager.default.createDirectory(atPath: shelf.directory, withIntermediateDirectories: true)
        let partial = shelf.filePath + ".partial"
        let createdAt = now()
        let started = ContinuousClock.now
        let contents = try await store.writeSnapshot(to: partial, createdAt: createdAt, overwrite: true)
        let (sha256, bytes) = try PublishedSnapshot.digest(ofFileAt: partial)
        let snapshot = PublishedSnapshot(createdAt: createdAt, bytes: bytes, sha256: sha256, contents: contents)
        guard rename(partial, shelf.filePath) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: shelf.filePath])
        }
        try snapshot.save(in: shelf.directory)
        shelf.offer(snapshot)
        logger.info(
            "snapshot published",
            metadata: [
                "bytes": "\(bytes)", "machines": "\(contents.machines)", "sha256": "\(sha256)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        return snapshot
    }
}
