import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// Install identity, deletion, quarantine, the audit log, provenance and plausibility flags, on
/// every backend, with the aggregates, counters and curve windows each change corrects.
@Suite("Trust contract")
struct TrustContractTests {
    /// One gcbench curve; `ratio` tells submissions' curves apart.
    static func curve(_ ratio: Double = 1.1) -> WorkloadCurve {
        WorkloadCurve(
            benchmark: "gcbench", benchmarkVersion: "1", procs: 1,
            curve: Curve(
                nurseries: [1 << 20, 8 << 20], roundIDs: [0, 1], roundRatios: [ratio, .nan, 1.05, 0.8],
                defaultNurseryBytes: 256 << 10))
    }

    @Test(
        "the first upload creates an install, its token reuses it, an unknown one gets a new one; provenance says so",
        arguments: StoreBackend.allCases)
    func installIdentity(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkInstallIdentity(store) }
    }

    private func checkInstallIdentity(_ store: some ResultStore) async throws {
        let (first, token, _) = TestCredentials.make()
        let a = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(0), credentials: first, curves: [])
        #expect(a.installIssued && a.deletionIssued)
        let install = try #require(a.installID)
        #expect(install.hasPrefix("i-") && install.count == 18)
        let b = try await store.ingest(
            SubmissionFixture.numbered(2), receivedAt: receivedAt(1),
            credentials: TestCredentials.make(presenting: token).0, curves: [])
        #expect(b.installID == install && !b.installIssued)
        let c = try await store.ingest(
            SubmissionFixture.numbered(3), receivedAt: receivedAt(2),
            credentials: TestCredentials.make(presenting: SecretToken.generate()).0, curves: [])
        #expect(c.installIssued && c.installID != install)
        let provenance = try await store.submissionProvenance()
        #expect(provenance.map(\.submissionID) == [1, 2, 3].map { SubmissionFixture.numbered($0).id })
        #expect(provenance.map(\.installID) == [install, install, c.installID])
        #expect(provenance.allSatisfy { $0.hardwareClass == "x86_64/AuthenticAMD" && !$0.quarantined })
        #expect(provenance.allSatisfy { $0.source == .agent && $0.flagReason == nil })
    }

    @Test(
        "a duplicate from the same install rotates the deletion token; from anyone else it issues nothing",
        arguments: StoreBackend.allCases)
    func duplicateRotation(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkDuplicateRotation(store) }
    }

    private func checkDuplicateRotation(_ store: some ResultStore) async throws {
        let (first, install, oldDeletion) = TestCredentials.make()
        _ = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(0), credentials: first, curves: [])
        let stranger = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(1), credentials: TestCredentials.make().0, curves: [])
        #expect(stranger.outcome == .duplicate(machineID: SubmissionFixture.epyc2Core.machineID))
        #expect(!stranger.deletionIssued && !stranger.installIssued)
        let (again, _, newDeletion) = TestCredentials.make(presenting: install)
        let repeated = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(2), credentials: again, curves: [])
        #expect(repeated.deletionIssued)
        let id = SubmissionFixture.numbered(1).id
        #expect(
            try await store.deleteSubmission(
                id: id, deletionTokenHash: SecretToken.digest(oldDeletion), at: receivedAt(3)) == .forbidden)
        #expect(
            try await store.deleteSubmission(
                id: id, deletionTokenHash: SecretToken.digest(newDeletion), at: receivedAt(3))
                == .deleted(machineID: SubmissionFixture.epyc2Core.machineID, machineRemoved: true))
    }

    @Test(
        "deletion: a wrong token is refused; the right one removes the submission and corrects aggregates, counters, windows",
        arguments: StoreBackend.allCases)
    func deletion(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkDeletion(store, inspector) }
    }

    private func checkDeletion(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let machineID = SubmissionFixture.epyc2Core.machineID
        let (c1, _, d1) = TestCredentials.make()
        let (c2, _, d2) = TestCredentials.make()
        _ = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(0), credentials: c1, curves: [Self.curve()])
        _ = try await store.ingest(
            SubmissionFixture.numbered(2), receivedAt: receivedAt(5), credentials: c2, curves: [Self.curve(1.3)])
        _ = try await store.ingest(
            SubmissionFixture.numbered(3, machine: SubmissionFixture.i7), receivedAt: receivedAt(9),
            credentials: TestCredentials.make().0,
            curves: [])
        let tokenless = SubmissionFixture(id: UUID(), seed: 77).build()
        _ = try await store.ingest(tokenless, receivedAt: receivedAt(1))
        #expect(try await inspector.windows(machineID: machineID).map(\.submissionCount) == [2])

        // A wrong token, an unknown id, and a submission stored without a token: nothing changes.
        let before = try await tableCounts(inspector)
        #expect(
            try await store.deleteSubmission(
                id: SubmissionFixture.numbered(1).id, deletionTokenHash: SecretToken.digest(d2), at: receivedAt(10))
                == .forbidden)
        #expect(
            try await store.deleteSubmission(id: UUID(), deletionTokenHash: SecretToken.digest(d1), at: receivedAt(10))
                == .notFound)
        #expect(
            try await store.deleteSubmission(
                id: tokenless.id, deletionTokenHash: SecretToken.digest(d1), at: receivedAt(10))
                == .forbidden)
        #expect(try await tableCounts(inspector) == before)
        #expect(try await store.auditLog(limit: 10).isEmpty, "refusals are not deletions")

        // Deleting the newest of the EPYC's runs moves last_seen back, the count down, and
        // rebuilds the window from the first run's curve alone.
        #expect(
            try await store.deleteSubmission(
                id: SubmissionFixture.numbered(2).id, deletionTokenHash: SecretToken.digest(d2), at: receivedAt(10))
                == .deleted(machineID: machineID, machineRemoved: false))
        let machine = try #require(try await store.machine(id: machineID))
        #expect(machine.summary.submissionCount == 2)
        #expect(machine.summary.firstSeen == receivedAt(0) && machine.summary.lastSeen == receivedAt(1))
        #expect(try await store.submission(id: SubmissionFixture.numbered(2).id) == nil)
        #expect(try await inspector.count("results") == 3 * 28)
        #expect(try await inspector.count("result_summaries") == 3 * 28)
        #expect(try await inspector.count("curves") == 1)
        let windows = try await inspector.windows(machineID: machineID)
        let expected = Self.curve().curve
        #expect(windows.count == 1)
        #expect(windows.first?.submissionCount == 1 && windows.first?.updatedAt == receivedAt(0))
        #expect(windows.first?.revision == 3, "a rebuild is a new revision")
        #expect(windows.first?.roundRatios == CurveBlob.encode(expected.roundRatios))
        #expect(windows.first?.nurseries == CurveBlob.encode(expected.nurseries))
        let counters = try #require(try await inspector.storedCounters())
        #expect(counters == (try await inspector.recountedCounters()))
        #expect(counters.submissions == 3 && counters.machines == 2)

        // Deleting the machine's last tokened run leaves the tokenless one; the machine stays.
        #expect(
            try await store.deleteSubmission(
                id: SubmissionFixture.numbered(1).id, deletionTokenHash: SecretToken.digest(d1), at: receivedAt(11))
                == .deleted(machineID: machineID, machineRemoved: false))
        #expect(try await inspector.windows(machineID: machineID).isEmpty, "no curve left, no window")
        #expect(try await store.machine(id: machineID)?.summary.submissionCount == 1)
        let log = try await store.auditLog(limit: 10)
        #expect(log.map(\.action) == ["delete", "delete"])
        #expect(log.first?.targetID == SubmissionFixture.numbered(1).id.uuidString.lowercased())
        #expect(log.first?.at == receivedAt(11) && log.first?.targetKind == "submission")
        #expect(log.allSatisfy { $0.actor == "submitter" && $0.reason == nil })
        #expect(try await inspector.storedCounters() == inspector.recountedCounters())
    }

    @Test("deleting a machine's only submission removes the machine", arguments: StoreBackend.allCases)
    func deletionRemovesMachine(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkDeletionRemovesMachine(store, inspector) }
    }

    private func checkDeletionRemovesMachine(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let (credentials, _, deletion) = TestCredentials.make()
        _ = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(0), credentials: credentials, curves: [Self.curve()])
        #expect(
            try await store.deleteSubmission(
                id: SubmissionFixture.numbered(1).id, deletionTokenHash: SecretToken.digest(deletion), at: receivedAt(1)
            )
                == .deleted(machineID: SubmissionFixture.epyc2Core.machineID, machineRemoved: true))
        #expect(try await store.machine(id: SubmissionFixture.epyc2Core.machineID) == nil)
        #expect(try await store.machines(limit: 10, offset: 0).total == 0)
        #expect(try await inspector.count("curves") == 0)
        #expect(try await inspector.windows(machineID: SubmissionFixture.epyc2Core.machineID).isEmpty)
        let counters = try #require(try await inspector.storedCounters())
        #expect(counters == (try await inspector.recountedCounters()))
        #expect(counters.submissions == 0 && counters.machines == 0 && counters.samples == 0)
    }

    @Test(
        "quarantine of an install, a machine or a submission hides and marks; release restores; all audited",
        arguments: StoreBackend.allCases)
    func quarantine(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkQuarantine(store, inspector) }
    }

    private func checkQuarantine(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let (c1, installToken, _) = TestCredentials.make()
        let first = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(0), credentials: c1, curves: [Self.curve()])
        _ = try await store.ingest(
            SubmissionFixture.numbered(2, machine: SubmissionFixture.i7), receivedAt: receivedAt(1),
            credentials: TestCredentials.make(presenting: installToken).0, curves: [Self.curve()])
        _ = try await store.ingest(
            SubmissionFixture.numbered(3, machine: SubmissionFixture.i7), receivedAt: receivedAt(2),
            credentials: TestCredentials.make().0, curves: [Self.curve(1.2)])
        let epyc = SubmissionFixture.epyc2Core.machineID
        let i7 = SubmissionFixture.i7.machineID
        func visibleIDs() async throws -> [String] { try await store.machines(limit: 10, offset: 0).machines.map(\.id) }
        func countersAgree() async throws -> Bool {
            try await inspector.storedCounters() == inspector.recountedCounters()
        }
        #expect(try await visibleIDs() == [i7, epyc])
        #expect(try await inspector.windows(machineID: i7).map(\.submissionCount) == [2])

        // The install reported the EPYC alone and one of the i7's two runs.
        let install = ModerationTarget.install(try #require(first.installID))
        #expect(
            try await store.setQuarantine(install, quarantined: true, reason: "spam", actor: "test", at: receivedAt(3))
                == .changed)
        #expect(try await visibleIDs() == [i7])
        #expect(try await store.submission(id: SubmissionFixture.numbered(1).id)?.quarantined == true)
        let i7Detail = try #require(try await store.machine(id: i7))
        #expect(i7Detail.submissions.map(\.quarantined) == [false, true])
        #expect(try await store.submissionProvenance().filter(\.quarantined).count == 2)
        #expect(try await inspector.windows(machineID: i7).map(\.submissionCount) == [1])
        #expect(try await inspector.windows(machineID: epyc).isEmpty)
        #expect(try await countersAgree())
        #expect(try await inspector.storedCounters()?.submissions == 1)

        // What the quarantined install sends next is stored but stays out of windows and counts.
        let late = try await store.ingest(
            SubmissionFixture.numbered(4, machine: SubmissionFixture.i7), receivedAt: receivedAt(4),
            credentials: TestCredentials.make(presenting: installToken).0, curves: [Self.curve()])
        #expect(late.curveWindows.isEmpty && late.installID == first.installID)
        #expect(try await inspector.windows(machineID: i7).map(\.submissionCount) == [1])
        #expect(try await countersAgree())

        #expect(
            try await store.setQuarantine(install, quarantined: true, reason: nil, actor: "test", at: receivedAt(5))
                == .unchanged)
        #expect(
            try await store.setQuarantine(install, quarantined: false, reason: nil, actor: "test", at: receivedAt(6))
                == .changed)
        #expect(try await visibleIDs() == [i7, epyc])
        #expect(try await inspector.windows(machineID: i7).map(\.submissionCount) == [3])
        #expect(try await inspector.windows(machineID: epyc).map(\.submissionCount) == [1])
        #expect(try await countersAgree())
        #expect(try await inspector.storedCounters()?.submissions == 4)

        #expect(
            try await store.setQuarantine(
                .machine(i7), quarantined: true, reason: nil, actor: "test", at: receivedAt(7))
                == .changed)
        #expect(try await visibleIDs() == [epyc])
        #expect(try await store.machine(id: i7)?.summary.quarantined == true)
        #expect(try await countersAgree())

        #expect(
            try await store.setQuarantine(
                .submission(SubmissionFixture.numbered(1).id), quarantined: true, reason: nil, actor: "test",
                at: receivedAt(8))
                == .changed)
        #expect(try await visibleIDs().isEmpty)
        #expect(try await inspector.windows(machineID: epyc).isEmpty)
        #expect(try await countersAgree())
        #expect(try await inspector.storedCounters()?.machines == 0)
        #expect(
            try await store.setQuarantine(
                .machine("m-0000000000000000"), quarantined: true, reason: nil, actor: "test", at: receivedAt(9))
                == .notFound)
        #expect(
            try await store.setQuarantine(
                .submission(SubmissionFixture.numbered(1).id), quarantined: false, reason: "ok", actor: "root",
                at: receivedAt(10))
                == .changed)
        #expect(try await inspector.windows(machineID: epyc).map(\.submissionCount) == [1])
        #expect(try await countersAgree())

        let log = try await store.auditLog(limit: 100)
        #expect(log.map(\.action) == ["release", "quarantine", "quarantine", "release", "quarantine", "quarantine"])
        #expect(log.first?.actor == "root" && log.first?.reason == "ok" && log.first?.at == receivedAt(10))
        #expect(log.last?.reason == "spam" && log.last?.targetKind == "install")
        #expect(try await store.auditLog(limit: 2).count == 2)
    }

    @Test("a submission far from ≥ 8 peers of its class is stored and flagged", arguments: StoreBackend.allCases)
    func outlierFlag(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkOutlierFlag(store) }
    }

    private func checkOutlierFlag(_ store: some ResultStore) async throws {
        for n in 1...7 {
            let result = try await store.ingest(
                SubmissionFixture.numbered(n), receivedAt: receivedAt(n), credentials: TestCredentials.make().0,
                curves: [])
            #expect(result.flagReason == nil)
        }
        var fabricated = Self.fabricated(100)
        // 7 peers: too few to judge even a fabricated run.
        var early = fabricated
        early.id = UUID()
        #expect(
            try await store.ingest(early, receivedAt: receivedAt(8), credentials: TestCredentials.make().0, curves: [])
                .flagReason == nil)
        _ = try await store.ingest(
            SubmissionFixture.numbered(8), receivedAt: receivedAt(8), credentials: TestCredentials.make().0, curves: [])
        let flagged = try await store.ingest(
            fabricated, receivedAt: receivedAt(10), credentials: TestCredentials.make().0, curves: [])
        #expect(flagged.outcome == .created(machineID: SubmissionFixture.epyc2Core.machineID))
        #expect(flagged.flagReason?.contains("outlier") == true)
        #expect(try await store.submission(id: fabricated.id)?.flagReason == flagged.flagReason)
        #expect(try await store.submissionProvenance().first { $0.submissionID == fabricated.id }?.flagReason != nil)
        #expect(try await store.machine(id: SubmissionFixture.epyc2Core.machineID)?.submissions.first?.flag != nil)
        #expect(
            try await store.ingest(
                SubmissionFixture.numbered(11), receivedAt: receivedAt(11), credentials: TestCredentials.make().0,
                curves: []
            ).flagReason == nil, "an ordinary run among the same peers is not flagged")
        // Quarantining the peers leaves too few to judge the next fabricated run.
        for n in 1...8 {
            _ = try await store.setQuarantine(
                .submission(SubmissionFixture.numbered(n).id), quarantined: true, reason: nil, actor: "test",
                at: receivedAt(12))
        }
        fabricated.id = UUID()
        #expect(
            try await store.ingest(
                fabricated, receivedAt: receivedAt(13), credentials: TestCredentials.make().0, curves: []
            )
            .flagReason == nil)
    }

    /// Submission `n` with every CPU time tripled: far from its class's peers.
    static func fabricated(_ n: Int) -> Submission {
        var submission = SubmissionFixture.numbered(n)
        for index in submission.results.indices {
            for sample in submission.results[index].samples.indices {
                submission.results[index].samples[sample].cpuMs *= 3
            }
        }
        return submission
    }

    @Test(
        "the screen's peers leave out quarantined installs and machines", arguments: StoreBackend.allCases)
    func screenPeersLeaveQuarantine(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkScreenPeersLeaveQuarantine(store) }
    }

    private func checkScreenPeersLeaveQuarantine(_ store: some ResultStore) async throws {
        // Eight peers, all from one install on the EPYC.
        let (credentials, installToken, _) = TestCredentials.make()
        let first = try await store.ingest(
            SubmissionFixture.numbered(1), receivedAt: receivedAt(1), credentials: credentials, curves: [])
        for n in 2...8 {
            _ = try await store.ingest(
                SubmissionFixture.numbered(n), receivedAt: receivedAt(n),
                credentials: TestCredentials.make(presenting: installToken).0, curves: [])
        }
        func probe(_ n: Int) async throws -> String? {
            try await store.ingest(
                Self.fabricated(n), receivedAt: receivedAt(n), credentials: TestCredentials.make().0, curves: []
            ).flagReason
        }
        func set(_ target: ModerationTarget, _ quarantined: Bool) async throws {
            _ = try await store.setQuarantine(
                target, quarantined: quarantined, reason: nil, actor: "test", at: receivedAt(20))
        }
        let install = ModerationTarget.install(try #require(first.installID))
        try await set(install, true)
        #expect(try await probe(100) == nil, "the quarantined install's runs are no peers")
        try await set(install, false)
        try await set(.machine(SubmissionFixture.epyc2Core.machineID), true)
        #expect(try await probe(101) == nil, "the quarantined machine's runs are no peers")
        try await set(.machine(SubmissionFixture.epyc2Core.machineID), false)
        #expect(try await probe(102)?.contains("outlier") == true, "released, they are peers again")
    }
}
