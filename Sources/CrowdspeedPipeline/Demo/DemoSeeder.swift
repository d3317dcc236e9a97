import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import Logging

/// Fills an empty demo database with a simulated population followed across interpreter
/// versions (CrowdspeedFit's ``VersionedPopulationSimulator``), through the same ingest path as
/// real submissions, so every page has full charts in one command. Everything it stores is
/// `source: synthetic`, and a demo server labels every page as such.
///
/// Most machines run both demo PyPy versions (gcbench with its nursery grid, and the JSON
/// payloads) and one CPython version (JSON only). Between PyPy 7.3.16 and 7.3.17 the simulator
/// plants ``CrowdspeedFit/VersionEffect/demo``: gcbench 6% slower on AMD x86-64 machines and
/// json.dumps 5% faster on Intel x86-64 machines, so the changes page has one known regression
/// on one hardware class and one known improvement to show.
public struct DemoSeeder: Sendable {
    /// Machines generated on an empty database: enough for classes and held-out folds, a few
    /// seconds to ingest.
    public var machineCount = 240
    /// Fixed, so every demo shows the same population.
    public var seed: UInt64 = 2026_05_01

    /// Creates a seeder; tests use fewer machines.
    public init(machineCount: Int = 240, seed: UInt64 = 2026_05_01) {
        self.machineCount = machineCount
        self.seed = seed
    }

    /// The simulator the demo uses: the PyPy versions with the planted effects, and every machine
    /// with one of three CPython versions.
    public var simulator: VersionedPopulationSimulator {
        var options = VersionedSimulationOptions()
        options.pypyVersions = ["7.3.16", "7.3.17"]
        options.cpythonVersions = ["3.11.2", "3.12.3", "3.13.1"]
        options.cpythonShare = 1
        options.effects = VersionEffect.demo
        return VersionedPopulationSimulator(seed: seed, options: options)
    }

    /// Seeds when the store has no machine yet; returns how many submissions were stored.
    @discardableResult
    public func seedIfEmpty(pipeline: Pipeline, logger: Logger) async throws -> Int {
        guard try await pipeline.stores.dashboard.dashboardCounts().machines == 0 else { return 0 }
        let simulator = self.simulator
        var stored = 0
        for index in 0..<machineCount {
            // Receipt a minute after creation keeps the simulator's fixed dates valid.
            for submission in simulator.history(at: index).submissions {
                _ = try await pipeline.ingest(submission, receivedAt: submission.createdAt.addingTimeInterval(60))
                stored += 1
            }
        }
        logger.info("demo database seeded", metadata: ["machines": "\(machineCount)", "submissions": "\(stored)"])
        return stored
    }
}
