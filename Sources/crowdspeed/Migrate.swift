import ArgumentParser
import CrowdspeedStorePostgres
import Foundation

/// `crowdspeed migrate --database-url URL`: applies the pending migrations and nothing else, so
/// an operator can migrate before rolling out a new build to several servers (which would each
/// apply them at start, one at a time, anyway). Prints what it applied.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the pending database migrations, print them, and exit.",
        discussion: """
            Servers apply pending migrations when they start, so this is only needed to migrate ahead of a \
            rollout. A database already migrated by a newer build is refused, and left as it was. A missing \
            SQLite file is created.
            """)

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let location = try database.location()
        let result: (applied: [String], recorded: [String])
        do {
            result = try await OpenedDatabase.migrate(location, logger: DatabaseOptions.logger)
        } catch let error as PostgresMigrationError {
            throw CommandFailure.exit(error.description)
        }
        for name in result.applied { print("applied \(name)") }
        let newest = result.recorded.last ?? "none"
        print(
            "\(location): \(result.applied.count) migrations applied, \(result.recorded.count) recorded, newest \(newest)"
        )
    }
}
