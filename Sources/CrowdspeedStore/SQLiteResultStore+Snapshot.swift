import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Tables that never leave the server: install identities and their token hashes, the
    /// moderation log, and bookkeeping of the server's own work (fit counters, curve windows,
    /// dashboard counters, the refit lease, applied migrations).
    static let privateTables = [
        "installs", "audit_log", "fit_state", "curve_windows", "dashboard_counters", "refit_lease",
        "comparison_revision", "schema_migrations",
    ]

    /// Columns that never leave the server: the install link and deletion-token hash, the
    /// network origin (a keyed hash of the address block), the moderation and plausibility-screen internals, the content hash, and the interpreter's
    /// executable path (it may hold a user's home directory). Verifications are public data
    /// except for the same install link and origin.
    static let privateColumns: [(table: String, column: String)] = [
        ("submissions", "install_id"), ("submissions", "deletion_token_hash"), ("submissions", "origin_hash"),
        ("submissions", "quarantined"),
        ("submissions", "flag_reason"), ("submissions", "screen_cpu_ms"), ("submissions", "screen_benchmark_version"),
        ("submissions", "screen_class"), ("submissions", "content_hash"), ("submissions", "executable"),
        ("machines", "quarantined"), ("verifications", "install_id"), ("verifications", "origin_hash"),
    ]

    /// Writes an anonymised copy of the public data to a new SQLite file at `path`.
    ///
    /// The copy is made through the database (`VACUUM INTO`, one consistent read while ingestion
    /// goes on). In the copy, quarantined submissions and machines are deleted (their results,
    /// curves, summaries and verifications cascade), so are the verifications of quarantined
    /// installs, machines left without a submission go too, the private
    /// tables and columns are dropped, the machines' submission counts are recounted, and a
    /// `snapshot_info` row records when and under which licence. A final `VACUUM` rewrites the
    /// file so no freed page still holds deleted data, and `PRAGMA integrity_check` must say ok.
    ///
    /// - Parameters:
    ///   - path: the file to write.
    ///   - createdAt: the snapshot's date, recorded in `snapshot_info`.
    ///   - overwrite: replace an existing file; without it an existing file is refused.
    /// - Throws: ``BackupError`` for an existing target or a copy that fails its check.
    public func writeSnapshot(to path: String, createdAt: Date, overwrite: Bool = false) async throws
        -> SnapshotSummary
    {
        if FileManager.default.fileExists(atPath: path) {
            guard overwrite else { throw BackupError.targetExists(path) }
            for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
                try FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        // VACUUM INTO cannot run inside a transaction, which every GRDB `read` opens.
        try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }

        let copy = try DatabaseQueue(path: path)
        defer { try? copy.close() }
        let summary = try await copy.write { db -> SnapshotSummary in
            try db.execute(
                sql: """
                    DELETE FROM submissions WHERE quarantined = 1
                        OR machine_id IN (SELECT id FROM machines WHERE quarantined = 1)
                        OR install_id IN (SELECT id FROM installs WHERE quarantined = 1);
                    DELETE FROM verifications WHERE install_id IN (SELECT id FROM installs WHERE quarantined = 1);
                    DELETE FROM machines WHERE quarantined = 1
                        OR NOT EXISTS (SELECT 1 FROM submissions s WHERE s.machine_id = machines.id);
                    UPDATE machines SET submission_count =
                        (SELECT count(*) FROM submissions s WHERE s.machine_id = machines.id);
                    """)
            for (table, column) in Self.privateColumns {
                // An index naming the column (partial indexes included) blocks dropping it.
                let indexes = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql LIKE ?",
                    arguments: [table, "%\(column)%"])
                for index in indexes { try db.execute(sql: "DROP INDEX \(index.quotedDatabaseIdentifier)") }
                try db.execute(
                    sql: "ALTER TABLE \(table.quotedDatabaseIdentifier) DROP COLUMN \(column.quotedDatabaseIdentifier)")
            }
            for table in Self.privateTables {
                try db.execute(sql: "DROP TABLE IF EXISTS \(table.quotedDatabaseIdentifier)")
            }
            try db.execute(
                sql: """
                    CREATE TABLE snapshot_info (
                        created_at TEXT NOT NULL,
                        licence    TEXT NOT NULL,
                        note       TEXT NOT NULL
                    );
                    INSERT INTO snapshot_info VALUES (?, ?, ?);
                    """,
                arguments: [
                    RFC3339.format(createdAt), "CC0-1.0",
                    "Crowdspeed public data: quarantined data, secrets and server internals removed",
                ])
            return SnapshotSummary(
                machines: try Int.fetchOne(db, sql: "SELECT count(*) FROM machines") ?? 0,
                submissions: try Int.fetchOne(db, sql: "SELECT count(*) FROM submissions") ?? 0,
                results: try Int.fetchOne(db, sql: "SELECT count(*) FROM results") ?? 0)
        }
        try await copy.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = DELETE")
            try db.execute(sql: "VACUUM")
        }
        try copy.close()
        let problems = try Self.integrityProblems(at: path)
        guard problems.isEmpty else { throw BackupError.integrityCheckFailed(problems) }
        return summary
    }
}
