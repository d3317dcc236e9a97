import ArgumentParser
import CrowdspeedAgent
import Foundation

/// Options shared by the commands that talk to a server and use the spool.
struct ServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The Crowdspeed server to submit to, e.g. https://crowdspeed.example.org (default: \"server\" in ~/.config/crowdspeed/agent.json, written by the server's install.sh).",
            valueName: "url")
    )
    var server: String?

    @Option(
        help: ArgumentHelp(
            "Directory for submissions not yet accepted (default: $XDG_DATA_HOME/crowdspeed/spool or ~/.local/share/crowdspeed/spool).",
            valueName: "dir"))
    var spool: String?

    func validate() throws {
        if let server = try effectiveServer() {
            guard let url = URL(string: server), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme), url.host != nil
            else {
                throw ValidationError(
                    "\(self.server == nil ? "the configured server" : "--server") must be an http:// or https:// URL, got \(server)"
                )
            }
        }
    }

    /// `--server`, else the server of the agent's settings file (nil when neither exists).
    func effectiveServer() throws -> String? {
        if let server { return server }
        let file = AgentConfiguration.defaultFile(environment: ProcessInfo.processInfo.environment)
        do {
            return try AgentConfiguration.load(from: file)?.server
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The parsed server URL: `--server`, else the configured one.
    var serverURL: URL? { ((try? effectiveServer()) ?? nil).flatMap { URL(string: $0) } }

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
