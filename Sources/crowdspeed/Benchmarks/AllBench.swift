import ArgumentParser
import Foundation

/// `crowdspeed bench all`: every benchmark with its defaults, in the order BENCHMARKS.md
/// reports them (ingestion, queries and refit from the database, the fit alone).
struct AllBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run the ingest, query and refit benchmarks with their defaults.")

    @Option(help: "Runs of each measurement (medians are reported).")
    var runs: Int = 3

    func validate() throws {
        guard (1...20).contains(runs) else { throw ValidationError("--runs must be within 1…20") }
    }

    func run() async throws {
        try await IngestBench.parse(["--runs", String(runs)]).run()
        BenchMachine.emit("")
        try await QueryBench.parse(["--runs", String(runs)]).run()
        BenchMachine.emit("")
        try await RefitBench.parse(["--runs", String(runs), "--machines", "10000,100000"]).run()
    }
}
