import ArgumentParser
import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation

/// `crowdspeed refit --db PATH [--demo]`: runs one fit now, stores it as the next formula
/// version, and prints its summary (the served formula, its held-out regret beside PyPy's rule
/// and the other baselines, the noise floor, the evidence).
struct Refit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the nursery formulas now from the stored curves and print the result.")

    @Option(
        name: .customLong("db"),
        help: ArgumentHelp("SQLite database file (default $CROWDSPEED_DB or ./crowdspeed.sqlite).", valueName: "path"))
    var databasePath: String?

    @Flag(
        help:
            "Fit the synthetic (demo) scope: every source, synthetic included. Without it only agent and import data are read."
    )
    var demo = false

    func run() async throws {
        let path = databasePath ?? ProcessInfo.processInfo.environment["CROWDSPEED_DB"] ?? "./crowdspeed.sqlite"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no database at \(path); pass --db or set CROWDSPEED_DB")
        }
        let store = try SQLiteResultStore(path: path)
        let scope: FormulaScope = demo ? .synthetic : .real
        switch try await Refitter(store: store, scope: scope).refit() {
        case .fitted(let formula):
            print(FormulaReport.text(formula))
        case .noData:
            FileHandle.standardError.write(
                Data(
                    "no usable PyPy gcbench curves in the \(scope.rawValue) scope (sources \(scope.sourcesText)); nothing fitted\n"
                        .utf8))
            throw ExitCode(2)
        case .notDue:
            throw ExitCode(2)
        }
    }
}
