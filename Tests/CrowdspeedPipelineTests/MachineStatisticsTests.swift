import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Logging
import Testing

/// The per-machine figures of the version comparisons are kept at ingest from a bounded read;
/// what is stored must be exactly what the derivation gives from each machine's most recent
/// visible submissions, across ingest, deletion, quarantine and release.
@Suite("Machine statistics")
struct MachineStatisticsTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// `count` runs of machine 2 of a versioned population with PyPy `version`, each with its
    /// own noise and id (JSON only, gcbench at the default setting: quick to ingest).
    static func runs(_ count: Int, version: String) -> [Submission] {
        var options = VersionedSimulationOptions()
        options.pypyVersions = [version]
        options.cpythonShare = 0
        options.measureNurseryGrid = false
        let base = VersionedPopulationSimulator(seed: 5, options: options).history(at: 2).submissions[0]
        return (0..<count).map { k in
            var random = SplitMix64(seed: UInt64(k + 1) &* 0x9E37_79B9 ^ UInt64(version.count))
            var submission = base
            submission.id = UUID()
            for r in submission.results.indices {
                for s in submission.results[r].samples.indices {
                    submission.results[r].samples[s].cpuMs *= exp(0.04 * random.nextGaussian())
                }
            }
            return submission
        }
    }

    /// The figures the derivation gives for `visible` (in order of receipt): per interpreter,
    /// from its newest ``StatisticWindow/submissionLimit`` submissions.
    static func expected(_ visible: [Submission]) -> [MachineStatistic] {
        let byVersion = Dictionary(grouping: visible.reversed(), by: \.interpreter.version)
        return byVersion.values.flatMap { StatisticWindow.statistics(from: $0) }.sorted {
            ($0.interpreter.version, $0.key) < ($1.interpreter.version, $1.key)
        }
    }

    static func stored(_ stores: StoreCapabilities, _ machineID: String) async throws -> [MachineStatistic] {
        try await stores.comparisons.machineStatistics(machineID: machineID).sorted {
            ($0.interpreter.version, $0.key) < ($1.interpreter.version, $1.key)
        }
    }

    @Test("stored figures equal the derivation from the newest visible runs across ingest, deletion and moderation")
    func maintained() async throws {
        try await withPipeline { pipeline in
            // More runs of 7.3.16 than the window holds, so the bound is exercised, and a few of 7.3.17.
            let runs = Self.runs(24, version: "7.3.16") + Self.runs(3, version: "7.3.17")
            var tokens: [UUID: String] = [:]
            for (k, submission) in runs.enumerated() {
                let deletion = SecretToken.generate()
                tokens[submission.id] = deletion
                _ = try await pipeline.ingest(
                    submission, receivedAt: Self.start.addingTimeInterval(Double(60 * k)),
                    credentials: IngestCredentials(
                        presentedInstallHash: nil, newInstallHash: SecretToken.digest(SecretToken.generate()),
                        deletionHash: SecretToken.digest(deletion)))
            }
            let stores = pipeline.stores
            let machineID = runs[0].machine.machineID
            let revision = try await stores.comparisons.comparisonRevision()
            #expect(revision >= Int64(runs.count))
            var visible = runs
            #expect(try await Self.stored(stores, machineID) == Self.expected(visible))
            #expect(try await Self.stored(stores, machineID).contains { $0.key.benchmark == BenchmarkName.jsonDumps })

            // Deleting the newest 7.3.17 run: its figures come from the other two.
            let deleted = runs[26]
            _ = try await pipeline.deleteSubmission(
                id: deleted.id, deletionTokenHash: SecretToken.digest(try #require(tokens[deleted.id])),
                at: Self.start.addingTimeInterval(86_400))
            visible.removeAll { $0.id == deleted.id }
            #expect(try await Self.stored(stores, machineID) == Self.expected(visible))

            // Quarantining a recent 7.3.16 run lets an older one into the window; release undoes it.
            let hidden = runs[22]
            _ = try await pipeline.setQuarantine(
                .submission(hidden.id), quarantined: true, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_401))
            #expect(try await Self.stored(stores, machineID) == Self.expected(visible.filter { $0.id != hidden.id }))
            _ = try await pipeline.setQuarantine(
                .submission(hidden.id), quarantined: false, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_402))
            #expect(try await Self.stored(stores, machineID) == Self.expected(visible))

            // A quarantined machine has no figures at all; released, they are back.
            _ = try await pipeline.setQuarantine(
                .machine(machineID), quarantined: true, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_403))
            #expect(try await Self.stored(stores, machineID).isEmpty)
            _ = try await pipeline.setQuarantine(
                .machine(machineID), quarantined: false, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_404))
            #expect(try await Self.stored(stores, machineID) == Self.expected(visible))
            #expect(try await stores.comparisons.comparisonRevision() > revision)
        }
    }

    @Test("on the demo population the detector finds exactly the planted effects, each in its hardware class")
    func demoEffects() async throws {
        try await withPipeline { pipeline in
            var logger = Logger(label: "crowdspeed.test")
            logger.logLevel = .warning
            let seeder = DemoSeeder()
            try await seeder.seedIfEmpty(pipeline: pipeline, logger: logger)
            let statistics = try await pipeline.stores.comparisons.machineStatistics(machineID: nil)
            let newest = try #require(VersionComparison.consecutivePairs(statistics, implementation: "PyPy").first)
            #expect(newest.from == "7.3.16" && newest.to == "7.3.17")
            var generator = SplitMix64(seed: 1)
            let comparison = VersionComparison.compare(
                statistics, implementation: "PyPy", from: "7.3.16", to: "7.3.17", using: &generator)
            let effects = seeder.simulator.options.effects
            #expect(effects == VersionEffect.demo)
            // Every changed row is explained by a planted effect: its benchmark, in its class (or
            // the overall row, which the class's machines move), in its direction.
            for row in comparison.rows where row.verdict == .regression || row.verdict == .improvement {
                let explained = effects.contains { effect in
                    effect.benchmark == row.benchmark
                        && (row.hardwareClass == nil || row.hardwareClass == effect.hardwareClass)
                        && (effect.cpuTimeFactor > 1) == (row.verdict == .regression)
                }
                #expect(explained, "false alarm: \(describe(row))")
            }
            // And every planted effect is found in its class: gcbench at the default nursery on
            // one process, and json.dumps on each payload.
            for effect in effects {
                let rows = comparison.rows.filter {
                    $0.benchmark == effect.benchmark && $0.hardwareClass == effect.hardwareClass
                        && ($0.params.nursery ?? .default) == .default && ($0.params.procs ?? 1) == 1
                }
                #expect(!rows.isEmpty)
                for row in rows {
                    #expect(
                        row.verdict == (effect.cpuTimeFactor > 1 ? .regression : .improvement),
                        "missed: \(describe(row))")
                }
            }
        }
    }
}

/// A row in one line, for failure messages.
private func describe(_ row: ComparisonRow) -> String {
    "\(row.key) \(row.hardwareClass?.description ?? "all") ratio \(row.ratio) [\(row.lower), \(row.upper)] "
        + "n=\(row.machines) \(row.verdict.rawValue)"
}
