import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import Logging
import Synchronization
import Testing

/// Several servers on one database: the refit runs on one at a time (the lease), and every
/// server serves a formula another one fitted within the refresh interval.
@Suite("Refit across servers")
struct RefitLeaseServiceTests {
    /// A clock the test steps.
    final class SteppedClock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        func now() -> Date { start.addingTimeInterval(offset.withLock { $0 }) }
        func advance(_ seconds: TimeInterval) { offset.withLock { $0 += seconds } }
    }

    @Test("a server finding the lease held skips the refit; after the holder's lease expires it fits")
    func leaseHeldElsewhere() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let first = try SQLiteResultStore(path: path)
            let second = try SQLiteResultStore(path: path)
            try await FitPopulation.ingest(FitPopulation.machines(0..<4, source: .agent), into: first)
            let clock = SteppedClock()
            let settings = RefitService.Settings(interval: .seconds(3600), leaseDuration: .seconds(60))
            let service = RefitService(
                fits: second, lease: second, holder: "second", scope: .real, settings: settings,
                now: { clock.now() }, logger: .init(label: "test"))
            // The first server is fitting (it holds the lease and does not renew: it died).
            #expect(try await first.acquireRefitLease(holder: "first", duration: .seconds(60), now: clock.now()))
            #expect(await service.runOnce() == nil)
            #expect(try await second.latestFormulaVersion(scope: .real) == nil)
            clock.advance(61)
            guard case .fitted(let formula) = await service.runOnce() else {
                Issue.record("no fit once the lease expired")
                return
            }
            #expect(formula.version == 1)
            // The service let the lease go after its check: the first server may take it at once.
            #expect(try await first.acquireRefitLease(holder: "first", duration: .seconds(60), now: clock.now()))
        }
    }

    /// The real store, its fit reads slowed down: a fit that outlasts the lease.
    struct SlowFitStore: FitStore {
        let store: SQLiteResultStore
        let delay: Duration

        func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws -> FitSnapshot {
            try await Task.sleep(for: delay)
            return try await store.fitSnapshot(scope: scope, benchmark: benchmark, implementation: implementation)
        }
        func gcMinPinnedSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws
            -> FitSnapshot
        {
            try await store.gcMinPinnedSnapshot(scope: scope, benchmark: benchmark, implementation: implementation)
        }
        func fitState(scope: FormulaScope) async throws -> FitState { try await store.fitState(scope: scope) }
        func insertFormula(_ formula: NewFormula) async throws -> Int { try await store.insertFormula(formula) }
        func latestFormula(scope: FormulaScope) async throws -> StoredFormula? {
            try await store.latestFormula(scope: scope)
        }
        func latestFormulaVersion(scope: FormulaScope) async throws -> Int? {
            try await store.latestFormulaVersion(scope: scope)
        }
        func formula(version: Int) async throws -> StoredFormula? { try await store.formula(version: version) }
        func formulaHistory(scope: FormulaScope?, limit: Int) async throws -> [FormulaSummary] {
            try await store.formulaHistory(scope: scope, limit: limit)
        }
    }

    @Test("a fit longer than the lease keeps it renewed, and releases it when done")
    func renewedDuringFit() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let fitting = try SQLiteResultStore(path: path)
            let other = try SQLiteResultStore(path: path)
            try await FitPopulation.ingest(FitPopulation.machines(0..<4, source: .agent), into: fitting)
            // A four-second lease, renewed every third of it, around a fit of 10 s or more (wide
            // margins: a renewal is a write that a loaded machine may delay by a second or more).
            let service = RefitService(
                fits: SlowFitStore(store: fitting, delay: .seconds(10)), lease: fitting, holder: "fitting",
                scope: .real, settings: .init(interval: .seconds(3600), leaseDuration: .seconds(4)),
                logger: .init(label: "test"))
            let running = Task { await service.runOnce() }
            try await Task.sleep(for: .seconds(7))
            // Past the first expiry: only renewal keeps the other server out.
            #expect(!(try await other.acquireRefitLease(holder: "other", duration: .seconds(1), now: Date())))
            guard case .fitted = await running.value else {
                Issue.record("the slow fit did not complete")
                return
            }
            #expect(try await other.acquireRefitLease(holder: "other", duration: .seconds(1), now: Date()))
        }
    }

    @Test("two services on one file checking at once: one fit between them")
    func oneFitAtATime() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let stores = [try SQLiteResultStore(path: path), try SQLiteResultStore(path: path)]
            try await FitPopulation.ingest(FitPopulation.machines(0..<4, source: .agent), into: stores[0])
            let services = stores.enumerated().map { index, store in
                RefitService(
                    fits: store, lease: store, holder: "server-\(index)", scope: .real,
                    settings: .init(interval: .seconds(3600)), logger: .init(label: "test"))
            }
            async let a = services[0].runOnce()
            async let b = services[1].runOnce()
            let outcomes = await [a, b]
            let fitted = outcomes.filter { if case .fitted = $0 { true } else { false } }
            #expect(fitted.count == 1)
            #expect(try await stores[0].latestFormulaVersion(scope: .real) == 1)
        }
    }

    @Test("a formula fitted through another store on the same file is served once the refresh interval passed")
    func formulaPolling() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let serving = try SQLiteResultStore(path: path)
            let fitting = try SQLiteResultStore(path: path)
            try await FitPopulation.ingest(FitPopulation.machines(0..<4, source: .agent), into: fitting)
            let base = ContinuousClock.now
            let elapsed = Mutex<Duration>(.zero)
            let cache = FormulaCache(
                store: serving, refreshInterval: .seconds(2), now: { base + elapsed.withLock { $0 } })
            // No formula yet: asked every time, so the first one is served at once.
            #expect(try await cache.latest(scope: .real) == nil)
            guard case .fitted(let first) = try await Refitter(store: fitting, scope: .real).refit() else {
                Issue.record("no first fit")
                return
            }
            #expect(try await cache.latest(scope: .real)?.version == first.version)
            guard case .fitted(let second) = try await Refitter(store: fitting, scope: .real).refit() else {
                Issue.record("no second fit")
                return
            }
            // Within the interval the known version is served without asking the database...
            elapsed.withLock { $0 = .milliseconds(1900) }
            #expect(try await cache.latest(scope: .real)?.version == first.version)
            // ...and once it passed, the other server's newer version.
            elapsed.withLock { $0 = .milliseconds(2100) }
            #expect(try await cache.latest(scope: .real)?.version == second.version)
        }
    }
}
