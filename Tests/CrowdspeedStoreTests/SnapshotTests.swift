import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// `crowdspeed snapshot`: the public copy opens, passes `integrity_check`, holds every visible
/// row and nothing secret or quarantined.
@Suite("Public snapshot")
struct SnapshotTests {
    @Test("the snapshot holds the visible data, none of the secrets, and passes integrity_check")
    func snapshotIsPublic() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteResultStore(path: directory.appendingPathComponent("live.sqlite").path)
            let snapshot = directory.appendingPathComponent("public.sqlite").path
            var secrets: [String] = []
            var kept: [Submission] = []
            var installIDs: [String] = []
            for index in 0..<3 {
                var fixture = SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(index))
                fixture.machine = index == 2 ? SubmissionFixture.i7 : SubmissionFixture.epyc2Core
                fixture.interpreter.executable = "/home/alice/bin/pypy3"
                let submission = fixture.build()
                let install = SecretToken.generate()
                let deletion = SecretToken.generate()
                let origin = NetworkOriginKey.random().origin(ofBlock: "ip4:198.51.100.0/24")
                secrets += [install, deletion, SecretToken.digest(install), SecretToken.digest(deletion), origin]
                let result = try await store.ingest(
                    submission, receivedAt: receivedAt(index),
                    credentials: IngestCredentials(
                        presentedInstallHash: nil, newInstallHash: SecretToken.digest(install),
                        deletionHash: SecretToken.digest(deletion), origin: origin),
                    curves: [])
                installIDs += result.installID.map { [$0] } ?? []
                if index < 2 { kept.append(submission) }
            }
            // The i7's only submission is quarantined: it and its machine must not be published.
            let all = try await store.machine(id: SubmissionFixture.i7.machineID)
            let i7Submission = try #require(all?.submissions.first?.id)
            _ = try await store.setQuarantine(
                .submission(i7Submission), quarantined: true, reason: "spam", actor: "test", at: receivedAt(9))

            // Verifications are public data: the EPYC's is published without its install and
            // origin; the i7's goes with its unpublished machine.
            func verification(_ machine: MachineInfo) -> Verification {
                Verification(
                    id: UUID(), createdAt: receivedAt(0), agent: AgentInfo(name: "crowdspeed-agent", version: "t"),
                    machineID: machine.machineID, pypyVersion: "7.3.11", procs: 1, nurseryBytes: 8 << 20,
                    defaultNurseryBytes: nil,
                    sizeSource: .init(kind: .nursery, formulaVersion: nil, predictedGain: nil),
                    seed: 1, rounds: 1, failedSamples: 0, roundGains: [0.05], gain: 0.05, gainLower: nil,
                    gainUpper: nil, confidence: 0.95)
            }
            let publicVerification = verification(SubmissionFixture.epyc2Core)
            let verificationOrigin = NetworkOriginKey.random().origin(ofBlock: "ip4:203.0.113.0/24")
            secrets.append(verificationOrigin)
            #expect(
                try await store.storeVerification(
                    publicVerification, receivedAt: receivedAt(9), installTokenHash: SecretToken.digest(secrets[0]),
                    origin: verificationOrigin) == .created)
            let hiddenVerification = verification(SubmissionFixture.i7)
            #expect(
                try await store.storeVerification(
                    hiddenVerification, receivedAt: receivedAt(9), installTokenHash: nil, origin: nil) == .created)

            let summary = try await store.writeSnapshot(to: snapshot, createdAt: receivedAt(10))
            #expect(summary == .init(machines: 1, submissions: 2, results: kept.reduce(0) { $0 + $1.results.count }))
            #expect(try SQLiteResultStore.integrityProblems(at: snapshot).isEmpty)
            await #expect(throws: BackupError.targetExists(snapshot)) {
                _ = try await store.writeSnapshot(to: snapshot, createdAt: receivedAt(10))
            }

            let published = kept
            let copy = try DatabaseQueue(path: snapshot)
            defer { try? copy.close() }
            try await copy.read { db in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                for table in SQLiteResultStore.privateTables { #expect(!tables.contains(table), "\(table)") }
                #expect(tables.contains("results") && tables.contains("machine_curves"))
                for table in tables {
                    let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.quotedDatabaseIdentifier))")
                        .map { $0["name"] as String }
                    for column in columns {
                        #expect(
                            !["token", "install", "hash", "address", "quarantined", "flag", "executable"].contains {
                                column.contains($0)
                            }, "\(table).\(column)")
                    }
                }
                let ids = try String.fetchAll(db, sql: "SELECT id FROM submissions ORDER BY id")
                #expect(ids == published.map { $0.id.uuidString.lowercased() }.sorted())
                #expect(try Int.fetchOne(db, sql: "SELECT submission_count FROM machines") == 2)
                #expect(try String.fetchOne(db, sql: "SELECT licence FROM snapshot_info") == "CC0-1.0")
                #expect(
                    try String.fetchAll(db, sql: "SELECT id FROM verifications")
                        == [publicVerification.id.uuidString.lowercased()])
                let samples = try Int.fetchOne(db, sql: "SELECT sum(sample_count) FROM results")
                #expect(samples == published.reduce(0) { $0 + $1.results.reduce(0) { $0 + $1.samples.count } })
            }
            // No secret survives anywhere in the file, freed pages included.
            let bytes = try Data(contentsOf: URL(fileURLWithPath: snapshot))
            for secret in secrets + installIDs + ["/home/alice", "spam"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) in the snapshot file")
            }
            #expect(bytes.range(of: Data(i7Submission.uuidString.lowercased().utf8)) == nil)
            #expect(bytes.range(of: Data(hiddenVerification.id.uuidString.lowercased().utf8)) == nil)
        }
    }
}
