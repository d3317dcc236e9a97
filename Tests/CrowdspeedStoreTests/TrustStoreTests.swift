import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import GRDB
import Testing
import CrowdspeedStoreTestSupport

/// Install identity, deletion, quarantine, the audit log and plausibility flags in the store.
@Suite("Trust in the store")
struct TrustStoreTests {
    /// Credentials with fresh tokens, presenting `install` when given.
    static func credentials(presenting install: String? = nil) -> (
        IngestCredentials, newInstall: String, deletion: String
    ) {
        let newInstall = SecretToken.generate()
        let deletion = SecretToken.generate()
        return (
            IngestCredentials(
                presentedInstallHash: install.map(SecretToken.digest), newInstallHash: SecretToken.digest(newInstall),
                deletionHash: SecretToken.digest(deletion)), newInstall, deletion
        )
    }

    static func fixture(_ n: Int, machine: MachineInfo = SubmissionFixture.epyc2Core) -> Submission {
        SubmissionFixture(
            id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!, machine: machine, rounds: 3,
            seed: UInt64(n)
        ).build()
    }

    @Test("the first upload creates an install; presenting its token reuses it; an unknown token gets a new one")
    func installIdentity() async throws {
        try await withTemporaryStore { store in
            let (first, token, _) = Self.credentials()
            let a = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(0), credentials: first)
            #expect(a.installIssued && a.deletionIssued)
            let install = try #require(a.installID)
            #expect(install.hasPrefix("i-") && install.count == 18)

            let b = try await store.ingest(
                Self.fixture(2), receivedAt: receivedAt(1), credentials: Self.credentials(presenting: token).0)
            #expect(b.installID == install && !b.installIssued)

            let c = try await store.ingest(
                Self.fixture(3), receivedAt: receivedAt(2),
                credentials: Self.credentials(presenting: SecretToken.generate()).0)
            #expect(c.installIssued && c.installID != install)
            let provenance = try await store.submissionProvenance()
            #expect(provenance.map(\.installID) == [install, install, c.installID])
            #expect(provenance.allSatisfy { $0.hardwareClass == "x86_64/AuthenticAMD" && !$0.quarantined })
        }
    }

    @Test("a duplicate from the same install rotates the deletion token; from anyone else it issues nothing")
    func duplicateRotation() async throws {
        try await withTemporaryStore { store in
            let (first, install, oldDeletion) = Self.credentials()
            _ = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(0), credentials: first)
            let stranger = try await store.ingest(
                Self.fixture(1), receivedAt: receivedAt(1), credentials: Self.credentials().0)
            #expect(stranger.outcome == .duplicate(machineID: SubmissionFixture.epyc2Core.machineID))
            #expect(!stranger.deletionIssued && !stranger.installIssued)

            let (again, _, newDeletion) = Self.credentials(presenting: install)
            let repeated = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(2), credentials: again)
            #expect(repeated.deletionIssued)
            let id = Self.fixture(1).id
            #expect(
                try await store.deleteSubmission(
                    id: id, deletionTokenHash: SecretToken.digest(oldDeletion), at: receivedAt(3)) == .forbidden)
            #expect(
                try await store.deleteSubmission(
                    id: id, deletionTokenHash: SecretToken.digest(newDeletion), at: receivedAt(3))
                    == .deleted(machineID: SubmissionFixture.epyc2Core.machineID, machineRemoved: true))
        }
    }

    @Test("deletion removes the submission and its results, fixes the machine's aggregates, and is audited")
    func deletion() async throws {
        try await withTemporaryStore { store in
            let machineID = SubmissionFixture.epyc2Core.machineID
            let (c1, _, d1) = Self.credentials()
            let (c2, _, d2) = Self.credentials()
            let (c3, _, d3) = Self.credentials()
            _ = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(0), credentials: c1)
            _ = try await store.ingest(Self.fixture(2), receivedAt: receivedAt(5), credentials: c2)
            _ = try await store.ingest(
                Self.fixture(3, machine: SubmissionFixture.i7), receivedAt: receivedAt(9), credentials: c3)
            // Wrong token, unknown id, and a submission stored without a token: nothing changes.
            #expect(
                try await store.deleteSubmission(
                    id: Self.fixture(1).id, deletionTokenHash: SecretToken.digest(d2), at: receivedAt(10)) == .forbidden
            )
            #expect(
                try await store.deleteSubmission(
                    id: UUID(), deletionTokenHash: SecretToken.digest(d1), at: receivedAt(10)) == .notFound)
            #expect(try await store.tableCounts()["submissions"] == 3)

            // Deleting the newest of the machine's two moves last_seen back and the count down.
            #expect(
                try await store.deleteSubmission(
                    id: Self.fixture(2).id, deletionTokenHash: SecretToken.digest(d2), at: receivedAt(10))
                    == .deleted(machineID: machineID, machineRemoved: false))
            let machine = try #require(try await store.machine(id: machineID))
            #expect(machine.summary.submissionCount == 1)
            #expect(machine.summary.firstSeen == receivedAt(0) && machine.summary.lastSeen == receivedAt(0))
            #expect(try await store.submission(id: Self.fixture(2).id) == nil)
            let orphans = try await store.writer.read { db in
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM results WHERE submission_id = ?",
                    arguments: [Self.fixture(2).id.storeText])
            }
            #expect(orphans == 0)

            // Deleting the last one removes the machine row.
            #expect(
                try await store.deleteSubmission(
                    id: Self.fixture(1).id, deletionTokenHash: SecretToken.digest(d1), at: receivedAt(11))
                    == .deleted(machineID: machineID, machineRemoved: true))
            #expect(try await store.machine(id: machineID) == nil)
            #expect(try await store.machines(limit: 10, offset: 0).total == 1)
            _ = d3
            let log = try await store.auditLog(limit: 10)
            #expect(log.map(\.action) == ["delete", "delete"])
            #expect(log.first?.targetID == Self.fixture(1).id.uuidString.lowercased())
            #expect(log.allSatisfy { $0.actor == "submitter" })
        }
    }

    @Test(
        "quarantine hides a machine, an install's submissions or one submission from the list and marks them; release restores"
    )
    func quarantine() async throws {
        try await withTemporaryStore { store in
            let (c1, installToken, _) = Self.credentials()
            let first = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(0), credentials: c1)
            _ = try await store.ingest(
                Self.fixture(2, machine: SubmissionFixture.i7), receivedAt: receivedAt(1),
                credentials: Self.credentials(presenting: installToken).0)
            _ = try await store.ingest(
                Self.fixture(3, machine: SubmissionFixture.i7), receivedAt: receivedAt(2),
                credentials: Self.credentials().0)
            let epyc = SubmissionFixture.epyc2Core.machineID
            let i7 = SubmissionFixture.i7.machineID
            #expect(try await store.machines(limit: 10, offset: 0).total == 2)

            // The install reported the EPYC alone and one of the i7's two runs.
            let install = ModerationTarget.install(try #require(first.installID))
            #expect(
                try await store.setQuarantine(
                    install, quarantined: true, reason: "spam", actor: "test", at: receivedAt(3)) == .changed)
            #expect(try await store.machines(limit: 10, offset: 0).machines.map(\.id) == [i7])
            #expect(try await store.submission(id: Self.fixture(1).id)?.quarantined == true)
            let i7Detail = try #require(try await store.machine(id: i7))
            #expect(i7Detail.submissions.map(\.quarantined) == [false, true])
            #expect(try await store.submissionProvenance().filter(\.quarantined).count == 2)

            #expect(
                try await store.setQuarantine(
                    install, quarantined: true, reason: nil, actor: "test", at: receivedAt(4)) == .unchanged)
            #expect(
                try await store.setQuarantine(
                    install, quarantined: false, reason: nil, actor: "test", at: receivedAt(5)) == .changed)
            #expect(try await store.machines(limit: 10, offset: 0).total == 2)

            #expect(
                try await store.setQuarantine(
                    .machine(i7), quarantined: true, reason: nil, actor: "test", at: receivedAt(6)) == .changed)
            #expect(try await store.machines(limit: 10, offset: 0).machines.map(\.id) == [epyc])
            #expect(try await store.machine(id: i7)?.summary.quarantined == true)

            #expect(
                try await store.setQuarantine(
                    .submission(Self.fixture(1).id), quarantined: true, reason: nil, actor: "test", at: receivedAt(7))
                    == .changed)
            #expect(try await store.machines(limit: 10, offset: 0).total == 0)
            #expect(
                try await store.setQuarantine(
                    .machine("m-0000000000000000"), quarantined: true, reason: nil, actor: "test", at: receivedAt(8))
                    == .notFound)

            let log = try await store.auditLog(limit: 100)
            #expect(log.map(\.action) == ["quarantine", "quarantine", "release", "quarantine", "quarantine"])
            #expect(log.last?.reason == "spam" && log.last?.targetKind == "install")
        }
    }

    @Test("a submission far from ≥ 8 peers of its class is stored and flagged; ordinary ones are not")
    func outlierFlag() async throws {
        try await withTemporaryStore { store in
            for n in 1...7 {
                let result = try await store.ingest(
                    Self.fixture(n), receivedAt: receivedAt(n), credentials: Self.credentials().0)
                #expect(result.flagReason == nil)
            }
            // 7 peers: too few to judge even a fabricated run.
            var fabricated = Self.fixture(100)
            for index in fabricated.results.indices {
                for sample in fabricated.results[index].samples.indices {
                    fabricated.results[index].samples[sample].cpuMs *= 3
                }
            }
            var early = fabricated
            early.id = UUID()
            #expect(
                try await store.ingest(early, receivedAt: receivedAt(8), credentials: Self.credentials().0).flagReason
                    == nil)
            _ = try await store.ingest(Self.fixture(9), receivedAt: receivedAt(9), credentials: Self.credentials().0)

            let flagged = try await store.ingest(
                fabricated, receivedAt: receivedAt(10), credentials: Self.credentials().0)
            #expect(flagged.outcome == .created(machineID: SubmissionFixture.epyc2Core.machineID))
            #expect(flagged.flagReason?.contains("outlier") == true)
            #expect(try await store.submission(id: fabricated.id)?.flagReason == flagged.flagReason)
            #expect(
                try await store.submissionProvenance().first { $0.submissionID == fabricated.id }?.flagReason != nil)
            #expect(
                try await store.ingest(Self.fixture(11), receivedAt: receivedAt(11), credentials: Self.credentials().0)
                    .flagReason == nil)
        }
    }

    @Test("the screen's peers leave out quarantined submissions, installs and machines")
    func screenPeersLeaveQuarantine() async throws {
        try await withTemporaryStore { store in
            let (credentials, installToken, _) = Self.credentials()
            let first = try await store.ingest(Self.fixture(1), receivedAt: receivedAt(1), credentials: credentials)
            for n in 2...8 {
                _ = try await store.ingest(
                    Self.fixture(n), receivedAt: receivedAt(n),
                    credentials: Self.credentials(presenting: installToken).0)
            }
            let probe = Self.fixture(100)
            func peers() async throws -> Int {
                try await store.writer.read { db in
                    try SQLiteResultStore.screeningPeers(
                        db, submission: probe, benchmarkVersion: OutlierScreen.benchmarkVersion(of: probe)
                    ).count
                }
            }
            func set(_ target: ModerationTarget, _ quarantined: Bool) async throws {
                _ = try await store.setQuarantine(
                    target, quarantined: quarantined, reason: nil, actor: "test", at: receivedAt(20))
            }
            #expect(try await peers() == 8)
            try await set(.submission(Self.fixture(1).id), true)
            #expect(try await peers() == 7)
            let install = ModerationTarget.install(try #require(first.installID))
            try await set(install, true)
            #expect(try await peers() == 0)
            try await set(install, false)
            #expect(try await peers() == 7)
            try await set(.machine(SubmissionFixture.epyc2Core.machineID), true)
            #expect(try await peers() == 0)
            try await set(.machine(SubmissionFixture.epyc2Core.machineID), false)
            try await set(.submission(Self.fixture(1).id), false)
            #expect(try await peers() == 8)
        }
    }
}

extension SQLiteResultStore {
    /// Ingest with credentials and no curves: these tests are about trust only.
    fileprivate func ingest(_ submission: Submission, receivedAt: Date, credentials: IngestCredentials) async throws
        -> IngestResult
    {
        try await ingest(submission, receivedAt: receivedAt, credentials: credentials, curves: [])
    }
}
