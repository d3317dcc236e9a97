import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// Ingest maintains each machine's curves and best nursery, so pages and `?machine=` never scan
/// raw samples; checked against the simulator's ground truth.
@Suite("Fitting aggregates at ingest")
struct FittingAggregateTests {
    @Test("summaries a stopped process left behind their windows are redone when the server starts")
    func startupRepairsStaleSummaries() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let machine = FitPopulation.machines(0..<1, seed: 11, source: .agent)[0].submission
            // The store's part of an ingest only: what a crash right after the commit leaves.
            let store = try SQLiteResultStore(path: path)
            _ = try await store.ingest(
                machine, receivedAt: FitPopulation.receivedAt, credentials: nil,
                curves: CurveDerivation.curves(of: machine))
            #expect(try await store.machineCurves(machineID: machine.machine.machineID).isEmpty)
            #expect(try await !store.staleCurveWindows(machineID: nil, limit: 10).isEmpty)

            let configuration = Configuration(port: 0, databasePath: path, logLevel: .warning)
            _ = try await buildApplication(configuration: configuration)
            #expect(try await !store.machineCurves(machineID: machine.machine.machineID).isEmpty)
            #expect(try await store.staleCurveWindows(machineID: nil, limit: 10).isEmpty)
        }
    }

    @Test("simulated submissions get per-procs curves whose best nursery lies near the truth")
    func bestNurseryNearTruth() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            let machines = FitPopulation.machines(0..<24, seed: 11, source: .synthetic)
            try await FitPopulation.ingest(machines, into: store)

            var curves = 0
            var near = 0
            var covered = 0
            for machine in machines {
                let stored = try await store.machineCurves(machineID: machine.submission.machine.machineID)
                let procs = Set(machine.truth.procs)
                #expect(Set(stored.map(\.key.procs)).isSuperset(of: procs))
                for curve in stored
                where procs.contains(curve.key.procs)
                    && curve.key.interpreterVersion == machine.submission.interpreter.version
                {
                    let truth = try #require(machine.trueOptimum(procs: curve.key.procs))
                    let best = try #require(curve.summary.best)
                    curves += 1
                    // The grid is powers of two: the measured best is within one step of the truth.
                    if abs(log2(Double(best.nurseryBytes)) - log2(truth)) <= 1.0 { near += 1 }
                    if let low = best.intervalLowerBytes, let high = best.intervalUpperBytes,
                        log2(truth) >= log2(Double(low)) - 0.5, log2(truth) <= log2(Double(high)) + 0.5
                    {
                        covered += 1
                    }
                    #expect(curve.summary.roundCount == 5)
                    #expect(curve.summary.points.count == 9)
                    #expect(curve.summary.flatSet.contains(best.nurseryBytes))
                    #expect(curve.summary.defaultNurseryBytes == machine.defaultNurseryBytes)
                    #expect((curve.summary.gainOverDefault ?? -1) >= 0)
                }
            }
            #expect(curves >= 40)
            // The simulated curves are flat within 2% over a factor 3.5–6.5 (calibrated to the
            // measured real curve), so with 5 noisy rounds the argmin can land two steps off.
            #expect(
                Double(near) >= 0.8 * Double(curves),
                "\(near) of \(curves) best nurseries within one power of two of the truth")
            #expect(Double(covered) >= 0.8 * Double(curves), "\(covered) of \(curves) intervals cover the truth")
        }
    }

    @Test("a machine's second submission is combined with its first; the machine API shows the result")
    func combinesSubmissions() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            let machine = FitPopulation.machines(3..<4, source: .agent)[0]
            var again = machine
            again.submission.id = UUID()
            try await FitPopulation.ingest([machine], into: store)
            try await FitPopulation.ingest([again], into: store, minute: 5)
            let id = machine.submission.machine.machineID
            let curves = try await store.machineCurves(machineID: id)
            #expect(!curves.isEmpty)
            #expect(curves.allSatisfy { $0.summary.submissionCount == 2 && $0.summary.roundCount == 10 })

            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "/api/v1/machines/\(id)", method: .get)
                #expect(response.status == .ok)
                let detail = try WireCoding.makeDecoder().decode(
                    MachineDocument.self, from: Data(response.body.readableBytesView))
                #expect(detail.curves == curves)
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let first = try #require((object["curves"] as? [[String: Any]])?.first)
                for key in [
                    "procs", "interpreter_version", "points", "best", "flat_set", "gain_over_default",
                    "submission_count",
                ] {
                    #expect(first[key] != nil, "machine curve lacks \(key)")
                }
                let best = try #require(first["best"] as? [String: Any])
                #expect(best["interval_lower_bytes"] != nil && best["interval_upper_bytes"] != nil)
            }
        }
    }

    @Test("CPython runs and other workloads derive no curves")
    func onlyPyPyGCBench() {
        var submission = FitPopulation.machines(0..<1, source: .agent)[0].submission
        #expect(!CurveDerivation.curves(of: submission).isEmpty)
        submission.interpreter.implementation = "CPython"
        #expect(CurveDerivation.curves(of: submission).isEmpty)
    }
}
