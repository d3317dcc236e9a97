import ArgumentParser
import CrowdspeedAgent

/// `crowdspeed-agent`: fingerprints this machine, sweeps PyPy's GC nursery size, and submits the
/// results to a Crowdspeed server.
@main
struct CrowdspeedAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crowdspeed-agent",
        abstract: "Measure the best PyPy GC nursery size on this machine and share the results.",
        version: AgentIdentity.version,
        // `recommend` and `delete` join this list when they land.
        subcommands: [
            RunCommand.self, FingerprintCommand.self, FlushCommand.self, DeleteCommand.self, Recommend.self,
            VerifyCommand.self,
        ],
        defaultSubcommand: nil
    )
}
