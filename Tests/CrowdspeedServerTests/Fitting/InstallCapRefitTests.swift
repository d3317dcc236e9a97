import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import Testing

/// The install weight cap reaches the fit: a refit reads each machine's `InstallWeightCap`
/// weight with its curves and hands it to CrowdspeedFit.
@Suite("Install weight cap in refits")
struct InstallCapRefitTests {
    /// Credentials of one request from the install whose token hashes to `install`.
    static func credentials(install: String) -> IngestCredentials {
        IngestCredentials(
            presentedInstallHash: install, newInstallHash: install,
            deletionHash: SecretToken.digest(SecretToken.generate()))
    }

    @Test("one install's 20 machines weigh at most one machine per hardware class; honest installs weigh 1 each")
    func capApplied() async throws {
        try await FitPopulation.withDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("db.sqlite").path)
            let ingestor = Pipeline(stores: StoreCapabilities(store))
            let honest = FitPopulation.machines(0..<30, source: .agent)
            let flood = FitPopulation.machines(30..<50, source: .agent)
            for (offset, machine) in honest.enumerated() {
                let install = SecretToken.digest(SecretToken.generate())
                _ = try await ingestor.ingest(
                    machine.submission, receivedAt: FitPopulation.receivedAt.addingTimeInterval(Double(offset)),
                    credentials: Self.credentials(install: install))
            }
            let spammer = SecretToken.digest(SecretToken.generate())
            for (offset, machine) in flood.enumerated() {
                _ = try await ingestor.ingest(
                    machine.submission, receivedAt: FitPopulation.receivedAt.addingTimeInterval(Double(100 + offset)),
                    credentials: Self.credentials(install: spammer))
            }

            let snapshot = try await store.fitSnapshot(
                scope: .real, benchmark: BenchmarkName.gcbench, implementation: "PyPy")
            let input = FitInputBuilder.input(from: snapshot)
            // The catalog repeats hardware, so a flood machine may share its id with an honest
            // one (which then rightly weighs 1); only the flood's own machines are checked.
            let honestIDs = Set(honest.map(\.submission.machine.machineID))
            let floodIDs = Set(flood.map(\.submission.machine.machineID)).subtracting(honestIDs)
            var floodWeight: [String: [String: Double]] = [:]
            for curve in input.curves {
                if honestIDs.contains(curve.machineID) {
                    #expect(curve.weight == 1, "an honest machine from its own install weighs 1")
                } else if floodIDs.contains(curve.machineID) {
                    let hardwareClass = "\(curve.features.arch.lowercased())/\(curve.features.cpuVendor)"
                    floodWeight[hardwareClass, default: [:]][curve.machineID] = curve.weight
                }
            }
            #expect(floodWeight.values.reduce(0) { $0 + $1.count } == floodIDs.count)
            for (hardwareClass, machines) in floodWeight {
                let total = machines.values.reduce(0, +)
                #expect(total <= 1 + 1e-9, "the flooding install weighs \(total) machines in \(hardwareClass)")
            }

            // The refit itself fits on those weights: its evidence counts every machine but
            // weighs the flood as one machine per class.
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                Issue.record("no formula fitted")
                return
            }
            let evidence = formula.report.evidence
            #expect(evidence.machines == honestIDs.count + floodIDs.count)
            let weighted = try #require(evidence.weightedMachines)
            #expect(weighted >= Double(honestIDs.count) - 1e-6)
            #expect(weighted <= Double(honestIDs.count + floodWeight.count) + 1e-6, "weighted machines \(weighted)")
            #expect(
                weighted < Double(evidence.machines) - 5, "the cap should bite: \(weighted) of \(evidence.machines)")
        }
    }
}
