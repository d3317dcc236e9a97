import CrowdspeedMigrations
import Foundation
import Testing

/// The two backends' migrations are one numbered history: the same ids, in the same order.
@Suite("Migration ids")
struct MigrationIDTests {
    @Test("the SQLite and PostgreSQL migration folders hold the same ids")
    func sameIDs() throws {
        let sqlite = try MigrationFile.load(from: BundledMigrations.directory).map(\.name)
        let postgres = try MigrationFile.load(from: BundledMigrations.postgresDirectory).map(\.name)
        #expect(!sqlite.isEmpty)
        #expect(sqlite.first == "0001_initial")
        #expect(postgres == sqlite)
    }

    @Test("ids are well formed and numbered without duplicates")
    func wellFormed() throws {
        for directory in [BundledMigrations.directory, BundledMigrations.postgresDirectory] {
            let names = try MigrationFile.load(from: directory).map(\.name)
            #expect(names.allSatisfy(MigrationFile.isValidName))
            let numbers = names.map { $0.prefix(4) }
            #expect(Set(numbers).count == numbers.count, "two files share a number in \(directory.lastPathComponent)")
        }
    }
}
