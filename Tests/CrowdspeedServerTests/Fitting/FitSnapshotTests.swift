import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
@testable import CrowdspeedStore
import Foundation
import GRDB
import Testing

/// The refit's input read from the store: table scans and Swift grouping must give exactly the
/// `FitInput` that the first implementation (one join ordered by SQLite, grouped through a
/// dictionary) gave, so a faster read never changes a formula.
@Suite("Fit snapshot")
struct FitSnapshotTests {
    @Test(
        "the fit input equals the join-and-sort reference with quarantine, installs, repeats, ties, pinned runs and every source"
    )
    func sameInputAsReference() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            let ingestor = Pipeline(stores: StoreCapabilities(store))
            let sources: [SubmissionSource] = [.agent, .import, .synthetic]
            let machines = (0..<36).map { index in
                FitPopulation.machines(index..<index + 1, source: sources[index % 3])[0]
            }
            let installs = (0..<4).map { _ in SecretToken.digest(SecretToken.generate()) }
            // Machines are ingested in an order unlike their ids', some of them several times:
            // later, at the same millisecond as an earlier one, or with PYPY_GC_MIN pinned.
            var clock = 0.0
            func ingest(_ submission: Submission, at seconds: Double, install: Int?) async throws {
                let credentials = install.map { InstallCapRefitTests.credentials(install: installs[$0]) }
                _ = try await ingestor.ingest(
                    submission, receivedAt: FitPopulation.receivedAt.addingTimeInterval(seconds),
                    credentials: credentials)
            }
            var submissionIDs: [UUID] = []
            for (offset, machine) in machines.enumerated().reversed() {
                clock += 1
                let install = offset % 5 == 0 ? nil : offset % 4
                try await ingest(machine.submission, at: clock, install: install)
                submissionIDs.append(machine.submission.id)
                if offset % 3 != 2 {
                    var repeated = machine.submission
                    repeated.id = UUID()
                    repeated.source = offset % 2 == 0 ? .agent : machine.submission.source
                    for index in repeated.results.indices where repeated.results[index].params.nurseryBytes != nil {
                        for sample in repeated.results[index].samples.indices {
                            repeated.results[index].samples[sample].cpuMs *= 1.01
                        }
                    }
                    // Every fourth repeat lands at the same millisecond as the first submission.
                    try await ingest(repeated, at: offset % 4 == 1 ? clock : clock + 1000, install: install)
                    submissionIDs.append(repeated.id)
                }
                if offset % 7 == 3 {
                    var pinned = machine.submission
                    pinned.id = UUID()
                    pinned.run?.pypyGCMin = "64M"
                    try await ingest(pinned, at: clock + 2000, install: install)
                }
            }
            _ = try await store.setQuarantine(
                .machine(machines[4].submission.machine.machineID), quarantined: true, reason: "test", actor: "test",
                at: FitPopulation.receivedAt)
            _ = try await store.setQuarantine(
                .submission(machines[8].submission.id), quarantined: true, reason: "test", actor: "test",
                at: FitPopulation.receivedAt)
            let provenance = try await store.submissionProvenance()
            let quarantinedInstall = try #require(
                provenance.first { $0.submissionID == machines[1].submission.id }?.installID)
            _ = try await store.setQuarantine(
                .install(quarantinedInstall), quarantined: true, reason: "test", actor: "test",
                at: FitPopulation.receivedAt)

            for scope in [FormulaScope.real, .synthetic] {
                let snapshot = try await store.fitSnapshot(
                    scope: scope, benchmark: BenchmarkName.gcbench, implementation: "PyPy")
                let reference = try await Self.referenceInput(store, scope: scope)
                #expect(snapshot.submissions == reference.submissions)
                #expect(InstallWeightCap.machineWeights(snapshot.provenance) == reference.weights)
                let input = FitInputBuilder.input(from: snapshot)
                #expect(input.curves.count == reference.input.curves.count)
                #expect(try Self.encoded(input) == Self.encoded(reference.input), "scope \(scope.rawValue)")
                // The case list above really was exercised.
                #expect(Set(input.curves.map(\.machineID)).count < input.curves.count)
                #expect(input.curves.contains { $0.curve.roundCount > 5 }, "combined submissions")
                #expect(reference.weights.values.contains { $0 < 1 }, "capped installs")
                #expect(!input.curves.contains { $0.machineID == machines[4].submission.machine.machineID })
            }
        }
    }

    /// Byte-exact form of an input (NaN cells spelled out, so equal inputs compare equal).
    static func encoded(_ input: FitInput) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(input)
    }

    /// The fit input as the first implementation read it: every admitted curve joined to its
    /// submission, machine and install and ordered by SQLite, the cap over the provenance of the
    /// submissions that enter, then one group per (machine, version, workload version, procs) in
    /// order of first appearance, members by receipt, features from the newest.
    static func referenceInput(_ store: SQLiteResultStore, scope: FormulaScope) async throws
        -> (input: FitInput, submissions: Int, weights: [String: Double])
    {
        let sources = scope.sources.map(\.rawValue).sorted()
        let (curves, submissions, weights) = try await store.writer.read { db in
            let placeholders = sources.map { _ in "?" }.joined(separator: ", ")
            let curves = try Row.fetchAll(
                db,
                sql: """
                    SELECT c.* FROM curves c
                    JOIN submissions s ON s.id = c.submission_id
                    JOIN machines m ON m.id = c.machine_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE c.benchmark = ? AND lower(c.implementation) = ? AND c.pypy_gc_min_pinned = 0
                        AND c.source IN (\(placeholders)) AND NOT \(SQLiteResultStore.effectiveQuarantine)
                    ORDER BY c.machine_id, c.received_at, c.id
                    """, arguments: StatementArguments([BenchmarkName.gcbench, "pypy"] + sources)
            ).map(Self.storedCurve)
            let submissions =
                try Int.fetchOne(
                    db, sql: "SELECT submissions FROM fit_state WHERE scope = ?", arguments: [scope.rawValue]) ?? 0
            let fitted = Set(curves.map(\.submissionID))
            let provenance = try SQLiteResultStore.submissionProvenance(db).filter { fitted.contains($0.submissionID) }
            return (curves, submissions, InstallWeightCap.machineWeights(provenance))
        }
        struct Key: Hashable {
            var machineID: String
            var version: String
            var benchmarkVersion: String
            var procs: Int
        }
        var groups: [Key: [StoredCurve]] = [:]
        var order: [Key] = []
        for curve in curves {
            let key = Key(
                machineID: curve.machineID, version: curve.interpreterVersion,
                benchmarkVersion: curve.aggregate.benchmarkVersion,
                procs: curve.aggregate.procs)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(curve)
        }
        var fitCurves: [FitCurve] = []
        for key in order {
            guard let members = groups[key], let latest = members.max(by: { $0.receivedAt < $1.receivedAt }),
                let l2 = latest.l2Bytes
            else { continue }
            let features = MachineFeatures(
                l2Bytes: l2, l3Bytes: latest.l3Bytes, physicalCores: latest.physicalCores,
                procs: latest.aggregate.procs,
                arch: latest.arch, cpuVendor: latest.cpuVendor, cpuinfoCacheBytes: latest.cpuinfoCacheBytes)
            fitCurves.append(
                FitCurve(
                    machineID: key.machineID, cpuModel: latest.cpuModel, features: features,
                    interpreterVersion: key.version,
                    workload: "\(latest.aggregate.benchmark)@\(key.benchmarkVersion)",
                    curve: CurveCombiner.combine(
                        members.sorted { $0.receivedAt < $1.receivedAt }.map(\.aggregate.curve)),
                    weight: weights[key.machineID] ?? 1))
        }
        return (FitInput(curves: fitCurves), submissions, weights)
    }

    /// A `curves` row, read the way the first implementation did.
    static func storedCurve(_ row: Row) throws -> StoredCurve {
        let aggregate = WorkloadCurve(
            benchmark: row["benchmark"], benchmarkVersion: row["benchmark_version"], procs: row["procs"],
            curve: Curve(
                nurseries: try CurveBlob.int64s(row["nurseries"]), roundIDs: try CurveBlob.rounds(row["round_ids"]),
                roundRatios: try CurveBlob.doubles(row["round_ratios"]),
                defaultNurseryBytes: row["default_nursery_bytes"]))
        return StoredCurve(
            submissionID: try SQLiteResultStore.uuid(row["submission_id"]), machineID: row["machine_id"],
            source: try SQLiteResultStore.source(row["source"]),
            receivedAt: StoreTime.date(milliseconds: row["received_at"]), implementation: row["implementation"],
            interpreterVersion: row["interpreter_version"], pypyGCMinPinned: row["pypy_gc_min_pinned"],
            cpuModel: row["cpu_model"], arch: row["arch"], cpuVendor: row["cpu_vendor"],
            physicalCores: row["physical_cores"], l2Bytes: row["l2_bytes"], l3Bytes: row["l3_bytes"],
            cpuinfoCacheBytes: row["cpuinfo_cache_bytes"], aggregate: aggregate)
    }

}
