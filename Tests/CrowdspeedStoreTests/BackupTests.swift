import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing

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

            // A second backup to the same path is refused without overwrite.
            await #expect(throws: BackupError.targetExists(backup)) { try await store.backup(to: backup) }
            try await store.backup(to: backup, overwrite: true)

            // Restore refuses an existing database without --force, then replaces it.
            let target = directory.appendingPathComponent("restored.sqlite").path
            _ = try SQLiteResultStore(path: target)
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
}
