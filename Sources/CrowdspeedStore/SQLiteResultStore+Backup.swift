import Foundation
import GRDB

extension SQLiteResultStore {
    /// Copies the live database to a new file at `path` with SQLite's online backup API, while
    /// ingestion goes on: the copy is one consistent snapshot (a transaction committed during the
    /// copy is either wholly in it or wholly absent). The copy is then checked with
    /// `PRAGMA integrity_check`.
    ///
    /// - Parameter overwrite: replace an existing file; without it an existing file is refused.
    /// - Throws: ``BackupError`` for an existing target or a copy that fails its check.
    public func backup(to path: String, overwrite: Bool = false) async throws {
        if FileManager.default.fileExists(atPath: path) {
            guard overwrite else { throw BackupError.targetExists(path) }
            try Self.removeDatabaseFiles(at: path)
        }
        let destination = try DatabaseQueue(path: path)
        try writer.backup(to: destination)
        try destination.close()
        let problems = try Self.integrityProblems(at: path)
        guard problems.isEmpty else { throw BackupError.integrityCheckFailed(problems) }
    }

    /// Restores the database file at `path` from the backup at `backupPath`: the backup is
    /// checked first (`PRAGMA integrity_check`, and that this build knows all its migrations),
    /// then copied in with the backup API — page by page under SQLite's own locking, so a
    /// half-written file never exists — and the result is checked again.
    ///
    /// - Parameter overwrite: replace an existing database; without it one is refused.
    /// - Throws: ``BackupError`` or ``StoreError/unknownMigrations(_:)`` for a backup from a newer build.
    public static func restore(
        from backupPath: String, to path: String, overwrite: Bool = false,
        configuration: Configuration = Configuration()
    ) throws {
        guard FileManager.default.fileExists(atPath: backupPath) else { throw BackupError.sourceMissing(backupPath) }
        let problems = try integrityProblems(at: backupPath)
        guard problems.isEmpty else { throw BackupError.integrityCheckFailed(problems) }
        let source = try DatabaseQueue(path: backupPath, configuration: readOnly())
        let runner =
            try configuration.migrationsDirectory.map { try MigrationRunner(directory: $0) } ?? MigrationRunner()
        let known = Set(runner.migrations.map(\.name))
        let unknown = try MigrationRunner.appliedMigrations(source).filter { !known.contains($0) }
        guard unknown.isEmpty else { throw StoreError.unknownMigrations(unknown) }
        if FileManager.default.fileExists(atPath: path), !overwrite { throw BackupError.targetExists(path) }
        let destination = try DatabasePool(path: path, configuration: configuration.grdbConfiguration())
        try source.backup(to: destination)
        try source.close()
        try destination.close()
        let after = try integrityProblems(at: path)
        guard after.isEmpty else { throw BackupError.integrityCheckFailed(after) }
    }

    /// What `PRAGMA integrity_check` reports for the database at `path`; empty when it says `ok`.
    public static func integrityProblems(at path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path, configuration: readOnly())
        defer { try? queue.close() }
        let lines = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return lines == ["ok"] ? [] : lines
    }

    /// `PRAGMA integrity_check` of this store's database; empty when it says `ok`.
    public func integrityProblems() async throws -> [String] {
        let lines = try await writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return lines == ["ok"] ? [] : lines
    }

    private static func readOnly() -> GRDB.Configuration {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        return configuration
    }

    /// Removes a database file and its WAL and shared-memory companions.
    private static func removeDatabaseFiles(at path: String) throws {
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
