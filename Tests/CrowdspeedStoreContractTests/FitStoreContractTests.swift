import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// ``FitStore`` on both backends: what a refit reads, and the versioned formulas.
@Suite("Fit store contract", .timeLimit(.minutes(2)))
struct FitStoreContractTests {
    @Test(
        "the fit snapshot holds the scope's admitted curves in machine and receipt order",
        arguments: StoreBackend.allCases)
    func snapshotContents(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            let ids = ReadScenario.ids
            let real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            // Agent submissions 0 (two curves) and 1; not the synthetic 2, not the pinned 3.
            let expectedMachines = [ReadScenario.epyc, ReadScenario.epyc, ReadScenario.i7].sorted {
                $0.utf8.lexicographicallyPrecedes($1.utf8)
            }
            #expect(real.curves.map(\.machineID) == expectedMachines)
            #expect(Set(real.curves.map(\.submissionID)) == [ids[0], ids[1]])
            #expect(real.submissions == 2)
            #expect(real.provenance.map(\.submissionID) == [ids[0], ids[1]])
            #expect(real.provenance.map(\.hardwareClass) == ["x86_64/AuthenticAMD", "x86_64/GenuineIntel"])
            #expect(real.provenance.allSatisfy { !$0.quarantined })
            let epycCurves = real.curves.filter { $0.machineID == ReadScenario.epyc }
            #expect(
                epycCurves.map(\.aggregate) == [
                    ReadScenario.curve(procs: 1, shift: 0), ReadScenario.curve(procs: 2, shift: 0),
                ])
            #expect(epycCurves.first?.aggregate.curve.roundRatios[1].isNaN == true)
            #expect(epycCurves.first?.l3Bytes == 32 << 20 && epycCurves.first?.cpuModel == "AMD EPYC 7B13")
            #expect(epycCurves.first?.receivedAt == receivedAt(0))

            let synthetic = try await store.fitSnapshot(scope: .synthetic, benchmark: "gcbench", implementation: "pypy")
            #expect(synthetic.curves.count == 4 && synthetic.submissions == 3)
            #expect(synthetic.provenance.map(\.submissionID) == [ids[0], ids[1], ids[2]])
            #expect(
                try await store.fitSnapshot(scope: .real, benchmark: "json.dumps", implementation: "PyPy").curves
                    .isEmpty)
        }
    }

    @Test("quarantined submissions and machines are left out of the snapshot", arguments: StoreBackend.allCases)
    func snapshotLeavesQuarantineOut(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            let ids = ReadScenario.ids
            _ = try await store.setQuarantine(
                .submission(ids[1]), quarantined: true, reason: nil, actor: "test", at: receivedAt(9))
            var real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            #expect(Set(real.curves.map(\.submissionID)) == [ids[0]])
            #expect(real.provenance.map(\.submissionID) == [ids[0]])
            // The counter counts what ever arrived; quarantine does not make a refit due again.
            #expect(real.submissions == 2)
            _ = try await store.setQuarantine(
                .machine(ReadScenario.epyc), quarantined: true, reason: nil, actor: "test", at: receivedAt(10))
            real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            #expect(real.curves.isEmpty && real.provenance.isEmpty)
            _ = try await store.setQuarantine(
                .submission(ids[1]), quarantined: false, reason: nil, actor: "test", at: receivedAt(11))
            real = try await store.fitSnapshot(scope: .real, benchmark: "gcbench", implementation: "PyPy")
            #expect(real.curves.map(\.submissionID) == [ids[1]])
        }
    }

    @Test(
        "formulas get increasing versions across scopes; latest, by version, history, fit state",
        arguments: StoreBackend.allCases)
    func formulaVersions(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            #expect(try await store.latestFormula(scope: .real) == nil)
            #expect(try await store.latestFormulaVersion(scope: .real) == nil)
            #expect(try await store.fitState(scope: .real) == FitState(submissions: 2, latestVersion: nil, pending: 2))

            let first = try await store.insertFormula(Self.formula(.real, input: 1, minute: 20))
            let second = try await store.insertFormula(Self.formula(.synthetic, input: 3, minute: 21))
            let third = try await store.insertFormula(Self.formula(.real, input: 2, minute: 22))
            #expect([first, second, third] == [Int](1...3))

            let latest = try #require(try await store.latestFormula(scope: .real))
            #expect(latest.summary.version == 3 && latest.summary.scope == .real)
            #expect(latest.summary.createdAt == receivedAt(22) && latest.summary.sources == "agent,import")
            #expect(latest.summary.metrics == Self.formula(.real, input: 2, minute: 22).metrics)
            #expect(latest.reportJSON == #"{"report":22}"# && latest.intervalsJSON == "[]")
            #expect(try await store.latestFormulaVersion(scope: .synthetic) == 2)
            #expect(try await store.formula(version: 1)?.summary.inputSubmissions == 1)
            #expect(try await store.formula(version: 4) == nil)
            #expect(try await store.formulaHistory(scope: nil, limit: 10).map(\.version) == [3, 2, 1])
            #expect(try await store.formulaHistory(scope: .real, limit: 10).map(\.version) == [3, 1])
            #expect(try await store.formulaHistory(scope: nil, limit: 1).map(\.version) == [3])
            #expect(try await store.fitState(scope: .real) == FitState(submissions: 2, latestVersion: 3, pending: 0))
            #expect(
                try await store.fitState(scope: .synthetic) == FitState(submissions: 3, latestVersion: 2, pending: 0))
        }
    }

    @Test("formulas inserted at once from two tasks get distinct, dense versions", arguments: StoreBackend.allCases)
    func concurrentFormulas(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
                for task in 0..<2 {
                    group.addTask {
                        var mine: [Int] = []
                        for index in 0..<10 {
                            mine.append(try await store.insertFormula(Self.formula(.real, input: index, minute: task)))
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(versions.sorted() == Array(1...20))
            #expect(try await store.latestFormulaVersion(scope: .real) == 20)
        }
    }

    /// A formula record with recognisable values; the undefined regrets stay nil, NaN becomes nil.
    static func formula(_ scope: FormulaScope, input: Int, minute: Int) -> NewFormula {
        NewFormula(
            scope: scope, createdAt: receivedAt(minute), inputSubmissions: input,
            metrics: FormulaMetrics(
                globalName: "k_l3_per_procs", globalText: "nursery = 0.5 × L3 / procs", heldOutRegret: 0.012,
                pypyDefaultRegret: 0.034, bestConstantRegret: nil, noiseFloor: 0.004, gainOverDefault: 0.021,
                machines: 2, curves: 3, cpuModels: 2),
            fitMilliseconds: 12.5, reportJSON: #"{"report":\#(minute)}"#, intervalsJSON: "[]")
    }
}
