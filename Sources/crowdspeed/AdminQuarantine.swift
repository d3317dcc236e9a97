import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed admin quarantine`: hides a submission, install or machine from the list and fits.
struct AdminQuarantine: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Quarantine a submission, install or machine.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var target: ModerationTargetOptions

    func run() async throws {
        try await AdminModeration.apply(quarantined: true, database: database, target: target)
    }
}
