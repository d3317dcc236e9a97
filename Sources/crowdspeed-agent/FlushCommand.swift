import ArgumentParser
import CrowdspeedAgent
import Foundation

/// `crowdspeed-agent flush`: retries every spooled submission with its original id.
struct FlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Upload submissions waiting in the spool (failed uploads, interrupted runs).",
        discussion:
            "Each is sent with its original id, so the server stores it once even if an earlier attempt got through."
    )

    @OptionGroup var options: ServerOptions

    func validate() throws {
        if try options.effectiveServer() == nil {
            throw ValidationError("flush needs --server URL (or a configured server)")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let spool = options.spoolStore(environment: environment)
        let uploader = Uploader(server: options.serverURL!)
        let pending = spool.pending()
        if pending.isEmpty {
            Console.info("nothing to upload: \(spool.directory.path) holds no submissions")
            return
        }
        Console.info(
            "uploading \(pending.count) spooled submission\(pending.count == 1 ? "" : "s") to \(uploader.endpoint.absoluteString)"
        )
        let receipts = ReceiptStore(file: ReceiptStore.defaultFile(environment: environment))
        let outcomes = try await Delivery(uploader: uploader, spool: spool, receipts: receipts).flush()
        let status = Report.outcomes(
            outcomes.map { ($0.file.deletingPathExtension().lastPathComponent, $0.outcome) }, uploader: uploader,
            spool: spool)
        if let status { throw status }
    }
}
