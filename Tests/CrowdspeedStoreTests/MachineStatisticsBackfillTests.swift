import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedMigrations
import CrowdspeedStore
import Foundation
import Testing

/// A database that held submissions before migration 0010 gets its per-machine comparison
/// figures when the migration is applied: the same the pipeline would have stored, quarantined
/// submissions left out.
@Suite("Machine statistics backfill")
struct MachineStatisticsBackfillTests {
    @Test("applying 0010 derives every machine's figures from its visible submissions")
    func backfill() async throws {
        try await withTemporaryDirectory { directory in
            // The bundled migrations but 0010, in a folder of their own (the runner fills such a
            // gap later, as it would for a database that got 0011 from a build of another branch).
            let older = directory.appendingPathComponent("older", isDirectory: true)
            try FileManager.default.createDirectory(at: older, withIntermediateDirectories: true)
            for file in try FileManager.default.contentsOfDirectory(
                at: BundledMigrations.directory, includingPropertiesForKeys: nil)
            where !file.lastPathComponent.hasPrefix("0010_") {
                try FileManager.default.copyItem(at: file, to: older.appendingPathComponent(file.lastPathComponent))
            }
            var options = VersionedSimulationOptions()
            options.measureNurseryGrid = false
            options.repeatShare = 1
            let submissions = VersionedPopulationSimulator(seed: 9, options: options).submissions(count: 4)
            let path = directory.appendingPathComponent("db.sqlite").path
            let hidden = submissions[0]
            do {
                let store = try SQLiteResultStore(path: path, configuration: .init(migrationsDirectory: older))
                for (k, submission) in submissions.enumerated() {
                    _ = try await store.ingest(
                        submission, receivedAt: Date(timeIntervalSince1970: 1_790_000_000 + Double(k)))
                }
                _ = try await store.setQuarantine(
                    .submission(hidden.id), quarantined: true, reason: nil, actor: "test",
                    at: Date(timeIntervalSince1970: 1_790_001_000))
                try await store.close()
            }
            let store = try SQLiteResultStore(path: path)
            #expect(try store.appliedMigrations().contains("0010_machine_statistics"))
            let visible = submissions.filter { $0.id != hidden.id }
            let expected = MachineStatistic.statistics(from: visible)
            let stored = try await store.machineStatistics(machineID: nil)
            #expect(!stored.isEmpty)
            #expect(stored == expected)
            #expect(try await store.comparisonRevision() > 0)
        }
    }
}
