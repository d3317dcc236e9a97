import CrowdspeedCore
import Foundation

extension Configuration {
    /// The scheduled public snapshot (`--snapshot-every`, `--snapshot-dir`).
    public struct SnapshotSchedule: Sendable, Equatable {
        /// Time between snapshots.
        public var interval: Duration
        /// Where the snapshot and its description are kept.
        public var directory: String

        public init(interval: Duration, directory: String) {
            self.interval = interval
            self.directory = directory
        }
    }

    /// The environment variables of the snapshot schedule.
    public enum SnapshotEnvironmentKey {
        public static let every = "CROWDSPEED_SNAPSHOT_EVERY"
        public static let directory = "CROWDSPEED_SNAPSHOT_DIR"
    }

    /// The shortest `--snapshot-every`: a snapshot copies the whole database, so a schedule
    /// tighter than this would spend the server on copies.
    public static let minimumSnapshotInterval: Duration = .seconds(60)

    /// Applies `--snapshot-every` and `--snapshot-dir` (over their environment variables). No
    /// schedule unless `--snapshot-every` is given (`off` says so explicitly); the directory
    /// defaults to the database's own, so `./crowdspeed.sqlite` publishes
    /// `./crowdspeed-snapshot.sqlite`.
    static func resolveSnapshot(
        every: String?, directory: String?, environment: [String: String], into configuration: inout Configuration
    ) throws(ConfigurationError) {
        let directory = directory ?? environment[SnapshotEnvironmentKey.directory]
        guard let text = every ?? environment[SnapshotEnvironmentKey.every], text.lowercased() != "off" else {
            if directory != nil {
                throw ConfigurationError(
                    "--snapshot-dir (\(SnapshotEnvironmentKey.directory)) needs --snapshot-every (\(SnapshotEnvironmentKey.every))"
                )
            }
            configuration.snapshot = nil
            return
        }
        guard let interval = DurationText.parse(text), interval >= minimumSnapshotInterval else {
            throw ConfigurationError(
                "--snapshot-every (\(SnapshotEnvironmentKey.every)) '\(text)' is not off or a duration of at least 60s, e.g. 24h or 1d"
            )
        }
        if let directory, directory.isEmpty {
            throw ConfigurationError("--snapshot-dir (\(SnapshotEnvironmentKey.directory)) must not be empty")
        }
        guard let databasePath = configuration.databasePath else {
            throw ConfigurationError(
                "--snapshot-every (\(SnapshotEnvironmentKey.every)) needs the embedded SQLite database; on PostgreSQL use pg_dump or the /api/v1/export endpoints"
            )
        }
        let databaseDirectory = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        configuration.snapshot = SnapshotSchedule(interval: interval, directory: directory ?? databaseDirectory)
    }
}
