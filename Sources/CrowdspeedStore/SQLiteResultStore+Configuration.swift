import Foundation
import GRDB
import Logging

extension SQLiteResultStore {
    /// How a ``SQLiteResultStore`` opens its database.
    public struct Configuration: Sendable {
        /// How hard a commit works to reach the disk.
        public enum Durability: Sendable, Equatable {
            /// WAL with `synchronous = NORMAL` (the default): a committed submission survives a
            /// crash or kill of the server process; a power loss or OS crash may lose the last
            /// few commits (never corrupt the file). Commits do not wait for fsync, so ingestion
            /// is fast.
            case normal
            /// WAL with `synchronous = FULL`: every commit is fsynced before it returns, so an
            /// acknowledged submission also survives power loss, at the cost of one fsync per
            /// submission.
            case durable

            /// The `PRAGMA synchronous` keyword.
            var pragmaValue: String {
                switch self {
                case .normal: "NORMAL"
                case .durable: "FULL"
                }
            }
        }

        public var durability: Durability
        /// Where the `NNNN_name.sql` files are; nil means the ones bundled with this build.
        public var migrationsDirectory: URL?
        /// How long a write waits for another process holding the database lock (a backup,
        /// the `sqlite3` shell) before failing.
        public var busyTimeout: TimeInterval
        /// Concurrent read connections.
        public var maximumReaderCount: Int
        /// Where the store logs (at debug level only: it is a library).
        public var logger: Logger
        /// Told about every ingest batch committed (the server's batch-size and writer-time
        /// metrics); nil tells no one.
        public var batchObserver: IngestBatchObserver?

        public init(
            durability: Durability = .normal, migrationsDirectory: URL? = nil, busyTimeout: TimeInterval = 5,
            maximumReaderCount: Int = 4, logger: Logger = Logger(label: "crowdspeed.store"),
            batchObserver: IngestBatchObserver? = nil
        ) {
            self.batchObserver = batchObserver
            self.durability = durability
            self.migrationsDirectory = migrationsDirectory
            self.busyTimeout = busyTimeout
            self.maximumReaderCount = maximumReaderCount
            self.logger = logger
        }

        /// The GRDB configuration for these settings.
        func grdbConfiguration() -> GRDB.Configuration {
            var config = GRDB.Configuration()
            config.foreignKeysEnabled = true
            config.busyMode = .timeout(busyTimeout)
            config.maximumReaderCount = max(1, maximumReaderCount)
            config.label = "crowdspeed.store"
            return config
        }
    }
}
