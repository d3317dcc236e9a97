import ArgumentParser

/// The `crowdspeed` server executable: a root command whose subcommands each live in their own
/// file. It only parses arguments; everything it runs lives in the libraries, where it is tested.
@main
struct Crowdspeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crowdspeed",
        abstract: "Collects crowd-sourced PyPy GC nursery benchmark results and serves them.",
        // `refit`, `simulate`, `admin` and `backup` join here as they are written.
        subcommands: [
            Serve.self, Migrate.self, Copy.self, Admin.self, Backup.self, Restore.self, Snapshot.self, Refit.self,
            Simulate.self, Bench.self,
        ],
        defaultSubcommand: nil)
}
