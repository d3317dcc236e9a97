import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed admin release`: undoes a quarantine.
struct AdminRelease: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Release a quarantined submission, install or machine.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: ModerationTargetOptions

    func run() async throws {
        try await AdminModeration.apply(quarantined: false, database: database, target: target)
    }
}
