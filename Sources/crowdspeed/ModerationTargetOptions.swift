import ArgumentParser
import CrowdspeedStore
import Foundation

/// Which submission, install or machine an admin command acts on, and why.
struct ModerationTargetOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A submission id (UUID).", valueName: "id"))
    var submission: String?

    @Option(help: ArgumentHelp("An install id (i- followed by 16 hex digits).", valueName: "id"))
    var install: String?

    @Option(help: ArgumentHelp("A machine id (m- followed by 16 hex digits).", valueName: "id"))
    var machine: String?

    @Option(help: ArgumentHelp("Why, recorded in the audit log.", valueName: "text"))
    var reason: String?

    /// Exactly one target, well formed.
    func validate() throws {
        _ = try target()
    }

    /// The target named by the options.
    func target() throws -> ModerationTarget {
        let given = [("submission", submission), ("install", install), ("machine", machine)].compactMap { kind, id in
            id.map { (kind, $0) }
        }
        guard given.count == 1, let (kind, id) = given.first else {
            throw ValidationError("name exactly one of --submission, --install, --machine")
        }
        guard let target = ModerationTarget(kind: kind, id: id.lowercased()) else {
            throw ValidationError("--\(kind) \(id) is not a \(kind) id")
        }
        return target
    }
}
