import ArgumentParser
import CrowdspeedAgent
import Foundation

/// Options shared by the commands that talk to a server and use the spool.
struct ServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The Crowdspeed server to submit to, e.g. https://crowdspeed.example.org.", valueName: "url")
    )
    var server: String?

    @Option(
        help: ArgumentHelp(
            "Directory for submissions not yet accepted (default: $XDG_DATA_HOME/crowdspeed/spool or ~/.local/share/crowdspeed/spool).",
            valueName: "dir"))
    var spool: String?

    func validate() throws {
        if let server {
            guard let url = URL(string: server), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme), url.host != nil
            else {
                throw ValidationError("--server must be an http:// or https:// URL, got \(server)")
            }
        }
    }

    /// The parsed server URL.
    var serverURL: URL? { server.flatMap { URL(string: $0) } }

    /// The spool directory to use.
    func spoolStore(environment: [String: String]) -> Spool {
        Spool(directory: spool.map { URL(fileURLWithPath: $0) } ?? Spool.defaultDirectory(environment: environment))
    }
}

/// Exit statuses beyond success and usage errors, so scripts can tell outcomes apart.
enum AgentExit {
    /// No PyPy interpreter, or the machine could not be fingerprinted.
    static let setup = ExitCode(1)
    /// The server could not be reached; the results are in the spool.
    static let spooled = ExitCode(3)
    /// The server refused a submission; it is kept in the spool's rejected/ directory.
    static let rejected = ExitCode(4)
    /// Interrupted with Ctrl-C; finished rounds are in the spool.
    static let interrupted = ExitCode(130)
}
