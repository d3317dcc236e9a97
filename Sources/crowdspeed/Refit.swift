import ArgumentParser
import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation

/// `crowdspeed refit [--db PATH | --database-url URL] [--demo]`: runs one fit now, stores it as the next formula
/// version, and prints its summary (the served formula, its held-out regret beside PyPy's rule
/// and the other baselines, the noise floor, the evidence).
struct Refit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit the nursery formulas now from the stored curves and print the result.")

    @OptionGroup var database: DatabaseOptions

    @Flag(
        help:
            "Fit the synthetic (demo) scope: every source, synthetic included. Without it only agent and import data are read."
    )
    var demo = false

    func run() async throws {
        let scope: FormulaScope = demo ? .synthetic : .real
        let outcome = try await database.withStores { stores in
            try await Refitter(store: stores.fits, scope: scope).refit()
        }
        switch outcome {
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
