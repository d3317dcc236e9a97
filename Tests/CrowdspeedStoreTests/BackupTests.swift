import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// Online backup while ingesting, and restore with its refusals.
@Suite("Backup and restore")
struct BackupTests {
    @Test("a backup taken during ingestion is consistent, passes integrity_check and restores")
    func backupDuringIngest() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("live.sqlite").path
            let backup = directory.appendingPathComponent("backup.sqlite").path
            let store = try SQLiteResultStore(path: path)
            let fixtures = (0..<12).map { SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64($0)).build() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for (minute, submission) in fixtures.enumerated() {
                        _ = try await store.ingest(submission, receivedAt: receivedAt(minute))
                    }
                }
                group.addTask { try await store.backup(to: backup) }
                try await group.waitForAll()
            }
            #expect(try SQLiteResultStore.integrityProblems(at: backup).isEmpty)
            // Consistent: the machine aggregate agrees with the submissions the copy holds.
            let copy = try SQLiteResultStore(path: backup)
            let counts = try await copy.tableCounts()
            let page = try await copy.machines(limit: 5, offset: 0)
            #expect(page.machines.first?.submissionCount ?? 0 == counts["submissions"])
            // The copy is closed before it is replaced: a database still open is never replaced.
            try await copy.close()

            // A second backup to the same path is refused without overwrite.
            await #expect(throws: BackupError.targetExists(backup)) { try await store.backup(to: backup) }
            try await store.backup(to: backup, overwrite: true)

            // Restore refuses an existing database without --force, then replaces it.
            let target = directory.appendingPathComponent("restored.sqlite").path
            // Closed: a database a store still has open is never replaced (see below).
            try await SQLiteResultStore(path: target).close()
            #expect(throws: BackupError.targetExists(target)) {
                try SQLiteResultStore.restore(from: backup, to: target)
            }
            try SQLiteResultStore.restore(from: backup, to: target, overwrite: true)
            let restored = try SQLiteResultStore(path: target)
            #expect(try await restored.tableCounts()["submissions"] == fixtures.count)
            #expect(try await restored.submission(id: fixtures[5].id)?.submission == fixtures[5])
        }
    }

    @Test("a damaged backup is refused before anything is replaced")
    func damagedBackup() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("live.sqlite").path
            let backup = directory.appendingPathComponent("backup.sqlite").path
            let store = try SQLiteResultStore(path: path)
            for n in 0..<5 {
                _ = try await store.ingest(
                    SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(n)).build(), receivedAt: receivedAt(n))
            }
            try await store.backup(to: backup)
            // Overwrite a page in the middle of the file with garbage.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: backup))
            try handle.seek(toOffset: 4096 * 3)
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
            try handle.close()
            let target = directory.appendingPathComponent("target.sqlite").path
            #expect(throws: (any Error).self) {
                try SQLiteResultStore.restore(from: backup, to: target, overwrite: true)
            }
            #expect(!FileManager.default.fileExists(atPath: target))
            #expect(throws: BackupError.sourceMissing("/nonexistent")) {
                try SQLiteResultStore.restore(from: "/nonexistent", to: target)
            }
        }
    }
    @Test("backup --force onto the live database, a link to it or its WAL is refused and the data stays")
    func backupOntoItself() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("live.sqlite").path
            let store = try SQLiteResultStore(path: path)
            for n in 0..<3 {
                _ = try await store.ingest(
                    SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(n)).build(), receivedAt: receivedAt(n))
            }
            let symbolic = directory.appendingPathComponent("symbolic.sqlite").path
            try FileManager.default.createSymbolicLink(atPath: symbolic, withDestinationPath: path)
            let hard = directory.appendingPathComponent("hard.sqlite").path
            try FileManager.default.linkItem(atPath: path, toPath: hard)
            let nested = directory.appendingPathComponent("sub", isDirectory: true)
            try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
            // The same file by another spelling of its path.
            let dotted = nested.appendingPathComponent("../live.sqlite").path
            for target in [path, symbolic, hard, dotted, path + "-wal"] {
                await #expect(throws: BackupError.targetIsSource(target), "\(target)") {
                    try await store.backup(to: target, overwrite: true)
                }
            }
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(try await store.tableCounts()["submissions"] == 3)
            #expect(try await store.integrityProblems().isEmpty)
            // Another file is still replaced with overwrite.
            let other = directory.appendingPathComponent("other.sqlite").path
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: other))
            try await store.backup(to: other, overwrite: true)
            #expect(try await SQLiteResultStore(path: other).tableCounts()["submissions"] == 3)
        }
    }

    @Test("backup --force onto a database another connection has open is refused; once it closes it is replaced")
    func backupOntoDatabaseInUse() async throws {
        try await withTemporaryDirectory { directory in
            let source = try SQLiteResultStore(path: directory.appendingPathComponent("source.sqlite").path)
            _ = try await source.ingest(SubmissionFixture(id: UUID(), rounds: 3).build(), receivedAt: receivedAt(0))
            // Another store (a server) on another file, idle between requests but open.
            let busyPath = directory.appendingPathComponent("served.sqlite").path
            let served = try SQLiteResultStore(path: busyPath)
            for n in 1...2 {
                _ = try await served.ingest(
                    SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(n)).build(), receivedAt: receivedAt(n))
            }
            #expect(try SQLiteResultStore.isInUse(at: busyPath))
            await #expect(throws: BackupError.targetInUse(busyPath)) {
                try await source.backup(to: busyPath, overwrite: true)
            }
            #expect(try await served.tableCounts()["submissions"] == 2)
            #expect(try await served.integrityProblems().isEmpty)

            // The probe itself neither changes nor locks anything: once the other store is
            // closed the file is free and is replaced.
            try await served.close()
            #expect(try SQLiteResultStore.isInUse(at: busyPath) == false)
            try await source.backup(to: busyPath, overwrite: true)
            #expect(try await SQLiteResultStore(path: busyPath).tableCounts()["submissions"] == 1)
            // A file that is not a database is not "in use".
            let text = directory.appendingPathComponent("notes.txt").path
            try Data("plain text, long enough to be read as a header by SQLite: 0123456789".utf8).write(
                to: URL(fileURLWithPath: text))
            #expect(try SQLiteResultStore.isInUse(at: text) == false)
        }
    }

    @Test(
        "restore --force onto a database a store has open, or onto the backup itself, is refused; closed, it is replaced"
    )
    func restoreOntoDatabaseInUse() async throws {
        try await withTemporaryDirectory { directory in
            let backup = directory.appendingPathComponent("backup.sqlite").path
            let source = try SQLiteResultStore(path: directory.appendingPathComponent("source.sqlite").path)
            _ = try await source.ingest(SubmissionFixture(id: UUID(), rounds: 3).build(), receivedAt: receivedAt(0))
            try await source.backup(to: backup)
            try await source.close()
            // A server's store on the database to replace, idle between requests but open.
            let servedPath = directory.appendingPathComponent("served.sqlite").path
            let served = try SQLiteResultStore(path: servedPath)
            for n in 1...2 {
                _ = try await served.ingest(
                    SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(n)).build(), receivedAt: receivedAt(n))
            }
            #expect(throws: BackupError.targetInUse(servedPath)) {
                try SQLiteResultStore.restore(from: backup, to: servedPath, overwrite: true)
            }
            #expect(try await served.tableCounts()["submissions"] == 2)
            #expect(try await served.integrityProblems().isEmpty)

            // The backup onto itself, by a link: refused, the backup intact.
            let link = directory.appendingPathComponent("link.sqlite").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: backup)
            #expect(throws: BackupError.targetIsSource(link)) {
                try SQLiteResultStore.restore(from: backup, to: link, overwrite: true)
            }
            #expect(try SQLiteResultStore.integrityProblems(at: backup).isEmpty)

            try await served.close()
            try SQLiteResultStore.restore(from: backup, to: servedPath, overwrite: true)
            #expect(try await SQLiteResultStore(path: servedPath).tableCounts()["submissions"] == 1)
        }
    }
}
