import CrowdspeedMigrations
import CrowdspeedStore
import CrowdspeedStorePostgres
import CrowdspeedStoreTestSupport
import Testing

/// The harness the contract tests stand on: each backend's fresh store is migrated to every
/// migration this build ships, so a contract test never runs on a partial schema.
@Suite("Store harness")
struct StoreHarnessTests {
    @Test("a fresh store has every bundled migration applied", arguments: StoreBackend.allCases)
    func freshStoreIsMigrated(_ backend: StoreBackend) async throws {
        let expected: [String]
        let applied: [String]
        switch backend {
        case .sqlite:
            expected = try MigrationFile.load(from: BundledMigrations.directory).map(\.name)
            applied = try await withSQLiteStore { try $0.appliedMigrations() }
        case .postgres:
            expected = try MigrationFile.load(from: BundledMigrations.postgresDirectory).map(\.name)
            applied = try await withPostgresStore { store in
                try await PostgresMigrationRunner.appliedMigrations(store.client, logger: TestPostgres.logger)
            }
        }
        #expect(!expected.isEmpty)
        #expect(applied == expected)
    }
}
