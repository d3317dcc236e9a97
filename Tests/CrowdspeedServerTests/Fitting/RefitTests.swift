import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing

/// Refits from stored aggregates: the regret reported beside PyPy's rule, synthetic data kept out
/// of real formulas, and the background service's trigger.
@Suite("Refit")
struct RefitTests {
    @Test("a refit over 150 simulated machines beats PyPy's rule by far, held out by CPU model")
    func regretBelowPyPy() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try await FitPopulation.copyOfTemplate(at: directory.appendingPathComponent("db.sqlite").path)
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                Issue.record("no formula fitted")
                return
            }
            let report = formula.report
            #expect(report.isHeldOut)
            #expect(report.evidence.machines >= 140)
            #expect(!formula.isSynthetic && formula.summary.sources == "agent,import")
            let pypy = try #require(report.baselines.first { $0.name == "pypy_default" })
            let served = report.global.heldOutRegret.mean
            #expect(pypy.heldOutRegret.mean > 0.05, "PyPy's rule should cost several percent on this population")
            #expect(served < 0.5 * pypy.heldOutRegret.mean, "served \(served) vs PyPy \(pypy.heldOutRegret.mean)")
            #expect(
                Set(report.baselines.map(\.name)).isSuperset(of: [
                    "pypy_default", "constant_4M", "constant_8M", "best_constant",
                ]))
            #expect(report.noiseFloor != nil)
            // The columns agree with the report.
            #expect(formula.summary.metrics.heldOutRegret == served)
            #expect(formula.summary.metrics.pypyDefaultRegret == pypy.heldOutRegret.mean)
            #expect(formula.summary.inputSubmissions == 150)
            #expect(formula.intervals[PredictionInterval.globalKey] != nil)
            #expect(FormulaReport.text(formula).contains("pypy_default"))
        }
    }

    @Test("synthetic submissions never enter a real formula; the demo scope fits them, labelled")
    func syntheticExcluded() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            try await FitPopulation.ingest(FitPopulation.machines(0..<30, source: .synthetic), into: store)
            #expect(try await store.fitState(scope: .real).submissions == 0)
            #expect(
                try await Refitter(store: store, scope: .real).refitIfDue(minimumNewSubmissions: 1)
                    == .notDue(pending: 0))
            #expect(try await Refitter(store: store, scope: .real).refit() == .noData)
            #expect(try await store.latestFormula(scope: .real) == nil)

            guard case .fitted(let demo) = try await Refitter(store: store, scope: .synthetic).refit() else {
                Issue.record("the demo scope did not fit")
                return
            }
            #expect(demo.isSynthetic && demo.summary.sources.contains("synthetic"))

            // A real server has nothing to serve; a demo server serves the synthetic formula, labelled.
            let query =
                "/api/v1/recommendations/nursery?l2_bytes=1048576&l3_bytes=33554432&physical_cores=8&arch=x86_64&cpu_vendor=AuthenticAMD"
            try await FitPopulation.withRouter(store: store, demo: false, path: path) { client in
                let response = try await client.execute(uri: query, method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(response.headers[.contentType] == ProblemDetails.mediaType)
            }
            try await FitPopulation.withRouter(store: store, demo: true, path: path) { client in
                let response = try await client.execute(uri: query, method: .get)
                #expect(response.status == .ok)
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let formula = try #require(object["formula"] as? [String: Any])
                #expect(formula["synthetic"] as? Bool == true)
                #expect(formula["scope"] as? String == "synthetic")
            }
        }
    }

    @Test("the refit service fits at first data, then only after N new submissions")
    func serviceTrigger() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            let service = RefitService(
                fits: store, lease: store, scope: .real,
                settings: .init(interval: .seconds(3600), minimumNewSubmissions: 5),
                logger: .init(label: "test"))
            #expect(await service.runOnce() == .notDue(pending: 0))
            let machines = FitPopulation.machines(0..<8, source: .agent)
            try await FitPopulation.ingest(Array(machines[0..<3]), into: store)
            guard case .fitted(let first) = await service.runOnce() else {
                Issue.record("no first fit")
                return
            }
            #expect(first.summary.inputSubmissions == 3)
            try await FitPopulation.ingest(Array(machines[3..<7]), into: store, minute: 1)
            #expect(await service.runOnce() == .notDue(pending: 4))
            try await FitPopulation.ingest(Array(machines[7..<8]), into: store, minute: 2)
            guard case .fitted(let second) = await service.runOnce() else {
                Issue.record("no second fit")
                return
            }
            #expect(second.version == first.version + 1 && second.summary.inputSubmissions == 8)
            #expect(await service.runOnce() == .notDue(pending: 0))
        }
    }

    @Test("new submissions prompt the first fit once --refit-after of them are stored, long before the interval")
    func promptFirstFit() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            let signal = RefitSignal()
            let pipeline = Pipeline(stores: StoreCapabilities(store), refitSignal: signal)
            let service = RefitService(
                fits: store, lease: store, scope: .real,
                settings: .init(interval: .seconds(3600), minimumNewSubmissions: 5, debounce: .milliseconds(50)),
                signal: signal, logger: .init(label: "test"))
            let running = Task { try await service.run() }
            defer { running.cancel() }
            for (offset, machine) in FitPopulation.machines(0..<5, source: .agent).enumerated() {
                _ = try await pipeline.ingest(
                    machine.submission, receivedAt: FitPopulation.receivedAt.addingTimeInterval(Double(offset)))
            }
            // The interval is an hour: a formula within seconds can only come from the prompt.
            let deadline = ContinuousClock.now + .seconds(30)
            var latest = try await store.latestFormula(scope: .real)
            while latest == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                latest = try await store.latestFormula(scope: .real)
            }
            let formula = try #require(latest)
            // Not fitted on the first machine and refitted: one fit, on all five.
            #expect(formula.summary.version == 1 && formula.summary.inputSubmissions == 5)
        }
    }

    @Test("the application runs the refit service in its service group")
    func serviceInGroup() async throws {
        try await FitPopulation.withDirectory { directory in
            let configuration = Configuration(
                port: 0, databasePath: directory.appendingPathComponent("db.sqlite").path, logLevel: .warning)
            let app = try await buildApplication(configuration: configuration)
            #expect(app.services.contains { $0 is RefitService })
        }
    }
}
