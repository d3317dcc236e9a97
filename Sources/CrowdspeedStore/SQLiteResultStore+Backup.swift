import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SQLiteResultStore {
    /// Copies the live database to a new file at `path` with SQLite's online backup API, while
    /// ingestion goes on: the copy is one consistent snapshot (a transaction committed during the
    /// copy is either wholly in it or wholly absent). The copy is then checked with
    /// `PRAGMA integrity_check`.
    ///
    /// An existing target is replaced only with `overwrite`, and never when it is this database
    /// itself (or its WAL or shared-memory file, by any name: a symbolic or hard link is the
    /// same file) nor a database some connection has open (``isInUse(at:)``), since replacing
    /// deletes the target's files.
    ///
    /// - Parameter overwrite: replace an existing file; without it an existing file is refused.
    /// - Throws: ``BackupError`` for an existing, live or same target, or a copy that fails its check.
    public func backup(to path: String, overwrite: Bool = false) async throws {
        if try Self.mayReplace(path, copying: writer.path, overwrite: overwrite) {
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
    /// An existing database is replaced only with `overwrite`, and never when it is the backup
    /// itself (by any name) nor a database some connection has open, such as a running server's
    /// (``isInUse(at:)``): the server would go on with its cached state over data changed under it.
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
        _ = try mayReplace(path, copying: backupPath, overwrite: overwrite)
        let destination = try DatabasePool(path: path, configuration: configuration.grdbConfiguration())
        try source.backup(to: destination)
        try source.close()
        try destination.close()
        let after = try integrityProblems(at: path)
        guard after.isEmpty else { throw BackupError.integrityCheckFailed(after) }
    }

    /// Copies the database at `source`, which nothing may be writing to (a closed store's file),
    /// to a new file at `destination` through SQLite's backup API, never as a file: its
    /// committed data may still be in its WAL, which a file copy of the main file misses.
    ///
    /// - Throws: ``BackupError/targetExists(_:)`` when `destination` exists, GRDB's
    ///   `DatabaseError` when `source` cannot be read.
    public static func copyDatabase(at source: String, to destination: String) throws {
        guard FileManager.default.fileExists(atPath: source) else { throw BackupError.sourceMissing(source) }
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw BackupError.targetExists(destination)
        }
        let reader = try DatabaseQueue(path: source, configuration: readOnly())
        defer { try? reader.close() }
        let copy = try DatabaseQueue(path: destination)
        try reader.backup(to: copy)
        try copy.close()
    }

    /// Whether copying the database at `source` to `target` replaces an existing file: false
    /// when there is none.
    ///
    /// - Throws: ``BackupError/targetExists(_:)`` without `overwrite`;
    ///   ``BackupError/targetIsSource(_:)`` when `target` is `source` or its WAL or shared-memory
    ///   file (links resolved); ``BackupError/targetInUse(_:)`` when a connection has it open.
    static func mayReplace(_ target: String, copying source: String, overwrite: Bool) throws -> Bool {
        guard FileManager.default.fileExists(atPath: target) else { return false }
        guard overwrite else { throw BackupError.targetExists(target) }
        if sameFile(target, asAnyOf: ["", "-wal", "-shm"].map { source + $0 }) {
            throw BackupError.targetIsSource(target)
        }
        if try isInUse(at: target) { throw BackupError.targetInUse(target) }
        return true
    }

    /// Whether a connection, in this process or another, has the SQLite database at `path` open
    /// (WAL mode) or locked (rollback-journal mode). False for a file that is not a database.
    ///
    /// How: a fresh connection with no busy wait asks for an exclusive lock on the database
    /// file, in `locking_mode = EXCLUSIVE` so that WAL mode asks for it too. In WAL mode
    /// every connection holds a shared lock on the database file from its first read until it
    /// closes (that is how the last one to close knows it may checkpoint and delete the WAL),
    /// so the exclusive lock is refused as long as any connection is open, even an idle one;
    /// `BEGIN EXCLUSIVE` alone would not do, since in WAL mode it only excludes other writers.
    /// In rollback-journal mode connections lock only while in a transaction, so only those
    /// are seen. SQLite's own locks are used rather than `fcntl` on a file descriptor of our
    /// own, because closing such a descriptor would drop every POSIX lock this process holds
    /// on the file. Nothing is written; if no other connection is open, closing the probe
    /// checkpoints a leftover WAL, as any last connection would.
    public static func isInUse(at path: String) throws -> Bool {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .immediateError
        do {
            let probe = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? probe.close() }
            try probe.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                try db.execute(sql: "BEGIN EXCLUSIVE")
                try db.execute(sql: "ROLLBACK")
            }
            return false
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: return true
            case .SQLITE_NOTADB: return false
            default: throw error
            }
        }
    }

    /// Whether `path` names the same file as any of `others` (same device and inode, symbolic
    /// links followed); paths that do not exist match nothing.
    static func sameFile(_ path: String, asAnyOf others: [String]) -> Bool {
        guard let identity = fileIdentity(path) else { return false }
        return others.contains { fileIdentity($0) == identity }
    }

    /// The device and inode of the file `path` resolves to, nil when there is none.
    private static func fileIdentity(_ path: String) -> [UInt64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [UInt64(info.st_dev), UInt64(info.st_ino)]
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
