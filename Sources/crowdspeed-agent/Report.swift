import ArgumentParser
import CrowdspeedAgent
import CrowdspeedCore
import Foundation

/// Printing delivery outcomes the same way for `run` and `flush`.
enum Report {
    /// Prints each outcome (receipts to stdout, problems to stderr) and returns the exit status
    /// the command should end with, or nil when everything was stored.
    static func outcomes(
        _ outcomes: [(label: String, outcome: DeliveryOutcome)], uploader: Uploader, spool: Spool,
        summaries: [String: String] = [:]
    ) -> ExitCode? {
        var exit: ExitCode?
        for (label, outcome) in outcomes {
            switch outcome {
            case .stored(let receipt):
                let state = receipt.status == "duplicate" ? "already stored" : "stored"
                print("\(label): \(state) as submission \(receipt.id.uuidString.lowercased())")
                if let summary = summaries[label] { print(summary) }
                // The dashboard page (HTML), not the API document the receipt links to.
                if let machine = receipt.links["machine"], let id = machine.split(separator: "/").last {
                    print("machine page: \(uploader.absolute("/machines/\(id)"))")
                }
            case .rejected(_, let problem, let keptAt):
                Console.error("the server refused \(label):")
                Console.info(problem?.readable ?? "no problem details in the answer")
                Console.info("the payload is kept in \(keptAt.path)")
                exit = AgentExit.rejected
            case .spooled(let reason, let file):
                Console.error("server unreachable (\(reason)); \(label) is spooled at \(file.path)")
                Console.info(
                    "upload it later with: crowdspeed-agent flush --server \(uploader.server.absoluteString) --spool \(spool.directory.path)"
                )
                if exit == nil { exit = AgentExit.spooled }
            case .rateLimited(let seconds, let file):
                // Not an error in the payload: it is kept for a later flush, never rejected.
                Console.error(
                    "\(DeliveryOutcome.rateLimitedReason(retryAfterSeconds: seconds)); \(label) is spooled at \(file.path)"
                )
                Console.info(
                    "upload it later with: crowdspeed-agent flush --server \(uploader.server.absoluteString) --spool \(spool.directory.path)"
                )
                if exit == nil { exit = AgentExit.spooled }
            }
        }
        return exit
    }
}
