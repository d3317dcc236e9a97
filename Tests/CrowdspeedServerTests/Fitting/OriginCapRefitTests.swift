import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The attack of issue 17 end to end: as many fake machines as real ones, each with a fresh
/// install token, posted from four /24s through the server's ingest route; the refit reads the
/// stored origins and caps each block, and the served formula stays close to the clean one on
/// machines the fit never saw (scored on their true curves, ``AttackScenario``'s yardstick).
@Suite("Origin cap in refits", .timeLimit(.minutes(10)))
struct OriginCapRefitTests {
    static let training = 120
    static let unseen = 60

    /// Posts every machine's submission through a trusted proxy from the address `address(i)`,
    /// without an install token (each gets a fresh one), then refits and returns the report and the
    /// fit input (for the origins that reached it).
    private static func ingestAndFit(_ machines: [SimulatedMachine], address: @escaping @Sendable (Int) -> String)
        async throws -> (report: FitReport, input: FitInput)
    {
        try await RouterHarness.run(configure: { $0.trustForwardedFor = true }) { client, results in
            for (index, machine) in machines.enumerated() {
                var submission = machine.submission
                submission.source = .agent
                let response = try await client.postSubmission(
                    SweepFixture.json(submission), headers: [HTTPField.Name("X-Forwarded-For")!: address(index)])
                #expect(response.status == .created)
            }
            let store = try #require(results as? SQLiteResultStore)
            let snapshot = try await store.fitSnapshot(
                scope: .real, benchmark: BenchmarkName.gcbench, implementation: "PyPy")
            let input = FitInputBuilder.input(from: snapshot)
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                throw FitFailed()
            }
            return (formula.report, input)
        }
    }

    struct FitFailed: Error {}

    /// Mean true regret of the served recommendations on the unseen machines' curves.
    private static func servedRegret(_ report: FitReport, unseen: [SimulatedMachine], grid: [Int64]) -> Double {
        var regrets: [Double] = []
        for machine in unseen {
            for curve in machine.fitCurves {
                let truth = machine.trueCurve(procs: curve.features.procs, grid: grid)
                let advice = report.recommend(
                    for: curve.features, pypyVersion: machine.submission.interpreter.version)
                regrets.append(truth.regret(ofNursery: advice.nurseryBytes))
            }
        }
        return Stats.mean(regrets)
    }

    /// One population: each takes minutes to post and fit twice on a shared machine. The target
    /// (1.5× the clean regret) is a mean over populations, as in the simulator's ``AttackTests``;
    /// one population is held to what those require of each seed, 2×. Measured on three seeds
    /// through this path: 1.49× (1017), 1.03× (2029), 1.66× (3041), 1.31× on the means.
    @Test(
        "+100% fake machines with fresh tokens from four /24s: held-out regret bounded near the clean fit's",
        arguments: [1_017 as UInt64])
    func attackBounded(seed: UInt64) async throws {
        let simulator = PopulationSimulator(seed: seed)
        let honest = simulator.machines(count: Self.training)
        let unseen = (Self.training..<Self.training + Self.unseen).map { simulator.machine(at: $0) }
        let fakes = simulator.fakeMachines(count: Self.training)
        // Honest machines each from a /24 of their own; fake j from one of four /24s.
        let honestAddress: @Sendable (Int) -> String = { "10.\($0 / 200).\($0 % 200).7" }
        let attackedAddress: @Sendable (Int) -> String = { index in
            index < Self.training ? honestAddress(index) : "198.51.\(100 + index % 4).\(1 + index / 4)"
        }

        let clean = try await Self.ingestAndFit(honest, address: honestAddress)
        let attacked = try await Self.ingestAndFit(honest + fakes, address: attackedAddress)

        // The stored origins reached the fit input: the honest machines' many, the fakes' four.
        let fakeIDs = Set(fakes.map(\.submission.machine.machineID)).subtracting(
            honest.map(\.submission.machine.machineID))
        let fakeOrigins = Set(attacked.input.curves.filter { fakeIDs.contains($0.machineID) }.map(\.origin))
        #expect(fakeOrigins.count == 4 && !fakeOrigins.contains(nil))
        #expect(clean.input.curves.allSatisfy { $0.origin != nil })
        let screening = try #require(attacked.report.screening)
        #expect(screening.cappedOrigins >= 4, "capped groups \(screening.cappedOrigins)")
        #expect(screening.weightRemovedByOriginCap > Double(fakeIDs.count) / 2)

        // The same stored data fitted as if origins were unknown, for comparison.
        var blind = attacked.input
        for index in blind.curves.indices { blind.curves[index].origin = nil }
        let blindReport = FormulaSelection.fit(blind, configuration: FitConfiguration())

        let cleanRegret = Self.servedRegret(clean.report, unseen: unseen, grid: simulator.grid)
        let attackedRegret = Self.servedRegret(attacked.report, unseen: unseen, grid: simulator.grid)
        let blindRegret = Self.servedRegret(blindReport, unseen: unseen, grid: simulator.grid)
        // The same honest machines fitted straight from their submissions (the simulator's path).
        let direct = FormulaSelection.fit(FitInput(curves: honest.flatMap(\.fitCurves)))
        let directRegret = Self.servedRegret(direct, unseen: unseen, grid: simulator.grid)
        print(
            String(
                format: "origin attack end to end (seed %llu, %d honest, %d fakes from 4 /24s): held-out regret "
                    + "clean %.4f, attacked %.4f (ratio %.2f), attacked without origins %.4f; "
                    + "capped groups %d, weight removed %.1f, flagged %d; clean fitted from the submissions "
                    + "directly %.4f",
                seed, honest.count, fakes.count, cleanRegret, attackedRegret, attackedRegret / cleanRegret,
                blindRegret, screening.cappedOrigins, screening.weightRemovedByOriginCap, screening.flaggedMachines,
                directRegret))
        #expect(cleanRegret.isFinite && attackedRegret.isFinite)
        #expect(attackedRegret <= 2 * cleanRegret, "attacked \(attackedRegret) vs clean \(cleanRegret)")
        // The stored origins are what bounds it: ignoring them lets the attack through.
        #expect(blindRegret > 2 * attackedRegret, "without origins \(blindRegret)")
        // The server's stored-curve path fits what the submissions themselves give.
        #expect(abs(cleanRegret - directRegret) < 0.001, "server \(cleanRegret), direct \(directRegret)")
    }
}
