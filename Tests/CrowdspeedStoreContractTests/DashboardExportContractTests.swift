import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// ``DashboardStore``, ``ExportStore`` and ``StorageStatisticsStore`` on both backends: the
/// aggregates and export rows of a known set of submissions, quarantine left out, and the same
/// answers from SQLite and PostgreSQL for the same submissions.
@Suite("Dashboard and export contract", .timeLimit(.minutes(3)))
struct DashboardExportContractTests {
    /// Samples per fixture submission (10 rounds: 380 samples).
    static let samplesPerSubmission = 380

    @Test("dashboard reads of the scenario, and what quarantine hides", arguments: StoreBackend.allCases)
    func dashboard(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            try await ReadScenario.summarizeAll(store)
            let ids = ReadScenario.ids
            #expect(
                try await store.dashboardCounts()
                    == DashboardCounts(
                        machines: 2, submissions: 5, samples: 5 * Self.samplesPerSubmission, interpreters: 2,
                        lastReceivedAt: receivedAt(4)))
            #expect(try await store.latestSubmissions(limit: 2).map(\.id) == [ids[4], ids[3]])
            #expect(
                try await store.machineTable(MachineTableQuery()).map(\.summary.id) == [
                    ReadScenario.i7, ReadScenario.epyc,
                ])
            #expect(
                try await store.machineTable(MachineTableQuery(sort: .vendor, descending: false)).map(
                    \.summary.cpuVendor)
                    == ["AuthenticAMD", "GenuineIntel"])
            let byBest = try await store.machineTable(MachineTableQuery(sort: .best))
            #expect(byBest.count == 2 && byBest.allSatisfy { $0.bestNurseryBytes != nil })
            #expect(try await store.machineCount(filter: nil) == 2)
            #expect(try await store.machineCount(filter: "amd") == 1)
            #expect(try await store.machineCount(filter: "%") == 0)
            #expect(
                try await store.machineTable(MachineTableQuery(filter: "epyc")).map(\.summary.id) == [ReadScenario.epyc]
            )
            let summaries = try await store.resultSummaries(machineIDs: [ReadScenario.epyc], benchmarks: ["gcbench"])
            #expect(summaries.count == 3 * 20)
            #expect(summaries.first?.nurseryBytes == nil && summaries.first?.procs == 1)
            let timings = try await store.interpreterTimings(benchmarks: ["gcbench"])
            #expect(timings.count == 3)
            #expect(try await store.storageBytes().values.reduce(0, +) > 0)

            _ = try await store.setQuarantine(
                .machine(ReadScenario.i7), quarantined: true, reason: nil, actor: "test", at: receivedAt(9))
            #expect(
                try await store.dashboardCounts()
                    == DashboardCounts(
                        machines: 1, submissions: 3, samples: 3 * Self.samplesPerSubmission, interpreters: 1,
                        lastReceivedAt: receivedAt(3)))
            #expect(try await store.latestSubmissions(limit: 10).map(\.id) == [ids[3], ids[2], ids[0]])
            #expect(try await store.machineTable(MachineTableQuery()).map(\.summary.id) == [ReadScenario.epyc])
            #expect(try await store.machineCount(filter: "x86") == 1)
            #expect(try await store.interpreterTimings(benchmarks: ["gcbench"]).map(\.machineID) == [ReadScenario.epyc])
        }
    }

    @Test(
        "exports page through every visible row, filtered, with quarantine left out", arguments: StoreBackend.allCases)
    func exports(_ backend: StoreBackend) async throws {
        try await withReadStore(backend) { store in
            try await ReadScenario.store(into: store)
            try await ReadScenario.summarizeAll(store)
            let ids = ReadScenario.ids
            let all = try await Self.samples(store, ExportFilter())
            #expect(all.count == 5 * Self.samplesPerSubmission)
            #expect(Set(all.map(\.submissionID)) == Set(ids))
            let epyc = try await Self.samples(store, ExportFilter(machine: ReadScenario.epyc))
            #expect(epyc.count == 3 * Self.samplesPerSubmission)
            let cpython = try await Self.samples(store, ExportFilter(implementation: "CPython", version: "3.12.7"))
            #expect(Set(cpython.map(\.submissionID)) == [ids[4]])
            #expect(
                try await Self.samples(store, ExportFilter(since: receivedAt(4))).count == Self.samplesPerSubmission)
            let curves = try await Self.curves(store, ExportFilter())
            #expect(curves.count == 4)
            #expect(try await Self.curves(store, ExportFilter(cpuVendor: "GenuineIntel")).count == 1)
            let revision = try await store.exportRevision()

            _ = try await store.setQuarantine(
                .submission(ids[1]), quarantined: true, reason: nil, actor: "test", at: receivedAt(9))
            #expect(try await store.exportRevision() != revision)
            let visible = try await Self.samples(store, ExportFilter())
            #expect(Set(visible.map(\.submissionID)) == [ids[0], ids[2], ids[3], ids[4]])
            // i7's curve was made of the quarantined submission alone: its window and summary are gone.
            #expect(try await Self.curves(store, ExportFilter()).count == 3)
        }
    }

    @Test("SQLite and PostgreSQL answer the same for the same submissions")
    func backendsAgree() async throws {
        let sqlite = try await withSQLiteStore { try await Self.reads($0) }
        let postgres = try await withPostgresStore { try await Self.reads($0) }
        #expect(sqlite.counts == postgres.counts)
        #expect(sqlite.latest == postgres.latest)
        #expect(sqlite.tables == postgres.tables)
        #expect(sqlite.summaries == postgres.summaries)
        #expect(sqlite.timings == postgres.timings)
        #expect(sqlite.samples == postgres.samples)
        #expect(sqlite.curves == postgres.curves)
        #expect(sqlite.machineCurves == postgres.machineCurves)
        #expect(sqlite.snapshot == postgres.snapshot)
        #expect(sqlite.provenance == postgres.provenance)
    }

    /// What every read returns for the scenario with submission 1 quarantined.
    struct Reads: Sendable {
        var counts: DashboardCounts
        var latest: [LatestSubmission]
        var tables: [[MachineTableRow]]
        var summaries: [ResultSummary]
        var timings: [InterpreterTiming]
        var samples: [ExportSampleRow]
        var curves: [ExportCurveRow]
        var machineCurves: [MachineCurve]
        var snapshot: [StoredCurve]
        var provenance: [SubmissionProvenance]
    }

    static func reads(_ store: any ContractStore) async throws -> Reads {
        try await ReadScenario.store(into: store)
        try await ReadScenario.summarizeAll(store)
        _ = try await store.setQuarantine(
            .submission(ReadScenario.ids[3]), quarantined: true, reason: nil, actor: "test", at: receivedAt(9))
        try await ReadScenario.summarizeAll(store)
        var tables: [[MachineTableRow]] = []
        for sort in MachineTableQuery.SortKey.allCases {
            for descending in [false, true] {
                tables.append(try await store.machineTable(MachineTableQuery(sort: sort, descending: descending)))
            }
        }
        tables.append(try await store.machineTable(MachineTableQuery(filter: "INTEL", limit: 1, offset: 0)))
        let snapshot = try await store.fitSnapshot(scope: .synthetic, benchmark: "gcbench", implementation: "PyPy")
        return Reads(
            counts: try await store.dashboardCounts(), latest: try await store.latestSubmissions(limit: 10),
            tables: tables,
            summaries: try await store.resultSummaries(
                machineIDs: [ReadScenario.epyc, ReadScenario.i7], benchmarks: ["gcbench", "json.dumps"]),
            timings: try await store.interpreterTimings(benchmarks: ["gcbench", "json.loads"]),
            samples: try await samples(store, ExportFilter()), curves: try await curves(store, ExportFilter()),
            machineCurves: try await store.machineCurves(machineID: ReadScenario.epyc),
            snapshot: snapshot.curves, provenance: snapshot.provenance)
    }

    /// Every sample row under `filter`, read in small pages so the cursor is exercised.
    static func samples(_ store: any ContractStore, _ filter: ExportFilter) async throws -> [ExportSampleRow] {
        var rows: [ExportSampleRow] = []
        var cursor: Int64?
        repeat {
            let page = try await store.exportSamples(filter: filter, after: cursor, limit: 7)
            rows += page.rows
            cursor = page.next
        } while cursor != nil
        return rows
    }

    /// Every curve row under `filter`, two per page.
    static func curves(_ store: any ContractStore, _ filter: ExportFilter) async throws -> [ExportCurveRow] {
        var rows: [ExportCurveRow] = []
        var cursor: Int64?
        repeat {
            let page = try await store.exportCurves(filter: filter, after: cursor, limit: 2)
            rows += page.rows
            cursor = page.next
        } while cursor != nil
        return rows
    }
}
