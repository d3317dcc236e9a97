import ArgumentParser
import CrowdspeedAgent
import Foundation

/// `crowdspeed-agent delete ID`: withdraws a submission this agent uploaded, with the deletion
/// token kept from the server's receipt.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a submission you uploaded (its samples too) from the server.",
        discussion:
            "Uses the deletion token the server returned when the submission was stored, kept in the agent's receipts file."
    )

    @Argument(help: ArgumentHelp("The submission id printed when it was uploaded.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The server (default: the one the submission was uploaded to).", valueName: "url"))
    var server: String?

    func validate() throws {
        guard UUID(uuidString: id) != nil else { throw ValidationError("\(id) is not a submission id (a UUID)") }
        if let server {
            guard let url = URL(string: server), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme), url.host != nil
            else {
                throw ValidationError("--server must be an http:// or https:// URL, got \(server)")
            }
        }
    }

    func run() async throws {
        let id = UUID(uuidString: id)!
        let receipts = ReceiptStore(file: ReceiptStore.defaultFile(environment: ProcessInfo.processInfo.environment))
        guard let receipt = receipts.receipt(id: id), let token = receipt.deletionToken else {
            Console.error(
                "no deletion token for \(id.uuidString.lowercased()) in \(receipts.file.path); only submissions uploaded from this account can be deleted here"
            )
            throw ExitCode(1)
        }
        guard let serverURL = URL(string: server ?? receipt.server) else {
            throw ValidationError("bad server URL \(receipt.server)")
        }
        switch await SubmissionDeleter(server: serverURL).delete(id: id, token: token) {
        case .deleted:
            try receipts.remove(id: id, server: serverURL)
            print("deleted \(id.uuidString.lowercased()) from \(serverURL.absoluteString)")
        case .notFound:
            try receipts.remove(id: id, server: serverURL)
            Console.info(
                "\(serverURL.absoluteString) has no submission \(id.uuidString.lowercased()) (already deleted?)")
        case .refused(let status, let problem):
            Console.error(problem?.readable ?? "the server refused the deletion (HTTP \(status))")
            throw ExitCode(4)
        case .unavailable(let reason):
            Console.error("could not reach \(serverURL.absoluteString): \(reason)")
            throw ExitCode(3)
        }
    }
}
