import ArgumentParser
import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// `crowdspeed admin audit`: prints the audit log, newest first, one entry per line.
struct AdminAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Print the audit log, newest first.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "How many entries to print.")
    var limit = 50

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let entries = try await database.withStores { stores in try await stores.results.auditLog(limit: limit) }
        for entry in entries {
            let reason = entry.reason.map { " — \($0)" } ?? ""
            print(
                "\(RFC3339.format(entry.at))  \(entry.actor)  \(entry.action) \(entry.targetKind) \(entry.targetID)\(reason)"
            )
        }
    }
}
