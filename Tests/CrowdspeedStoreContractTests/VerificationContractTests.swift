import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// ``VerificationStore`` on both backends: stored once per id, conflicts refused, unknown
/// machines refused, installs attached only when known, filters, quarantine hiding, and
/// deletion with the machine's data.
@Suite("Verification store contract", .timeLimit(.minutes(2)))
struct VerificationContractTests {
    typealias Store = ResultStore & VerificationStore

    /// Runs `body` on a fresh store of `backend`.
    static func withVerificationStore(_ backend: StoreBackend, _ body: (any Store) async throws -> Void) async throws {
        switch backend {
        case .sqlite: try await withSQLiteStore { try await body($0) }
        case .postgres: try await withPostgresStore { try await body($0) }
        }
    }

    /// A verification of `machine` with formula `version`'s size; `n` picks its id and gains.
    static func verification(
        _ n: Int, machine: MachineInfo = SubmissionFixture.epyc2Core, kind: Verification.SizeSource.Kind = .formula,
        version: Int? = 3
    ) -> Verification {
        let gains = [0.01 * Double(n), 0.02 * Double(n), 0.03 * Double(n)]
        return Verification(
            id: UUID(uuidString: String(format: "00000000-0000-4000-9000-%012d", n))!,
            createdAt: receivedAt(0), agent: AgentInfo(name: "crowdspeed-agent", version: "test"),
            machineID: machine.machineID, pypyVersion: "7.3.11", procs: 1, nurseryBytes: 8 << 20,
            defaultNurseryBytes: 1 << 20, sizeSource: .init(kind: kind, formulaVersion: version, predictedGain: 0.05),
            seed: UInt64(n), rounds: 3, failedSamples: 0, roundGains: gains, gain: gains[1], gainLower: gains[0],
            gainUpper: gains[2], confidence: 0.95)
    }

    @Test(
        "stored once per id: a replay is a duplicate, other content a conflict, an unknown machine refused",
        arguments: StoreBackend.allCases)
    func idempotence(_ backend: StoreBackend) async throws {
        try await Self.withVerificationStore(backend) { store in
            let verification = Self.verification(1)
            #expect(
                try await store.storeVerification(
                    verification, receivedAt: receivedAt(1), installTokenHash: nil, origin: nil) == .unknownMachine)
            #expect(try await store.verifications(VerificationQuery()).isEmpty)

            _ = try await store.ingest(SubmissionFixture.numbered(1), receivedAt: receivedAt(0))
            #expect(
                try await store.storeVerification(
                    verification, receivedAt: receivedAt(1), installTokenHash: nil, origin: "o-1") == .created)
            #expect(
                try await store.storeVerification(
                    verification, receivedAt: receivedAt(2), installTokenHash: nil, origin: nil) == .duplicate)
            var changed = verification
            changed.seed += 1
            await #expect(throws: StoreError.idConflict(verification.id)) {
                try await store.storeVerification(
                    changed, receivedAt: receivedAt(3), installTokenHash: nil, origin: nil)
            }
            let stored = try await store.verifications(VerificationQuery())
            #expect(stored == [StoredVerification(verification: verification, receivedAt: receivedAt(1))])
        }
    }

    @Test(
        "filters by formula version, machine and source, newest first, within the limit",
        arguments: StoreBackend.allCases)
    func filters(_ backend: StoreBackend) async throws {
        try await Self.withVerificationStore(backend) { store in
            _ = try await store.ingest(SubmissionFixture.numbered(1), receivedAt: receivedAt(0))
            _ = try await store.ingest(
                SubmissionFixture.numbered(2, machine: SubmissionFixture.i7), receivedAt: receivedAt(0))
            let entries = [
                Self.verification(1), Self.verification(2, version: 4),
                Self.verification(3, machine: SubmissionFixture.i7),
                Self.verification(4, kind: .nursery, version: nil),
            ]
            for (minute, entry) in entries.enumerated() {
                #expect(
                    try await store.storeVerification(
                        entry, receivedAt: receivedAt(minute + 1), installTokenHash: nil, origin: nil) == .created)
            }
            func ids(_ query: VerificationQuery) async throws -> [UUID] {
                try await store.verifications(query).map(\.verification.id)
            }
            #expect(try await ids(VerificationQuery()) == entries.reversed().map(\.id))
            #expect(try await ids(VerificationQuery(formulaVersion: 3)) == [entries[2].id, entries[0].id])
            #expect(
                try await ids(VerificationQuery(machineID: SubmissionFixture.i7.machineID)) == [entries[2].id])
            #expect(try await ids(VerificationQuery(sizeSource: .nursery)) == [entries[3].id])
            #expect(try await ids(VerificationQuery(sizeSource: .formula, limit: 2)) == [entries[2].id, entries[1].id])
            // The formulas page's figures: the formula sources only, from columns, newest first.
            #expect(
                try await store.formulaVerificationGains(limit: 10)
                    == [entries[2], entries[1], entries[0]].compactMap(VerifiedGain.init))
            #expect(try await store.formulaVerificationGains(limit: 1) == [VerifiedGain(entries[2])])
        }
    }

    @Test(
        "a known install token attaches the install, whose quarantine hides the verification; a hidden machine's too",
        arguments: StoreBackend.allCases)
    func quarantine(_ backend: StoreBackend) async throws {
        try await Self.withVerificationStore(backend) { store in
            let token = SecretToken.generate()
            let ingested = try await store.ingest(
                SubmissionFixture.numbered(1), receivedAt: receivedAt(0),
                credentials: IngestCredentials(
                    presentedInstallHash: nil, newInstallHash: SecretToken.digest(token),
                    deletionHash: SecretToken.digest(SecretToken.generate())),
                curves: [])
            let install = try #require(ingested.installID)
            // A second run of the EPYC from no install keeps the machine listed while the install is quarantined.
            _ = try await store.ingest(SubmissionFixture.numbered(3), receivedAt: receivedAt(0))
            _ = try await store.ingest(
                SubmissionFixture.numbered(2, machine: SubmissionFixture.i7), receivedAt: receivedAt(0))
            // From the install; from an unknown token (attached to nothing); from another machine.
            let fromInstall = Self.verification(1)
            let fromStranger = Self.verification(2)
            let fromI7 = Self.verification(3, machine: SubmissionFixture.i7)
            _ = try await store.storeVerification(
                fromInstall, receivedAt: receivedAt(1), installTokenHash: SecretToken.digest(token), origin: nil)
            _ = try await store.storeVerification(
                fromStranger, receivedAt: receivedAt(2),
                installTokenHash: SecretToken.digest(SecretToken.generate()), origin: nil)
            _ = try await store.storeVerification(
                fromI7, receivedAt: receivedAt(3), installTokenHash: nil, origin: nil)
            // Every one here is a formula's size: the formulas page's figures hide the same ones.
            func visible() async throws -> Set<UUID> {
                let ids = Set(try await store.verifications(VerificationQuery()).map(\.verification.id))
                #expect(try await store.formulaVerificationGains(limit: 100).count == ids.count)
                return ids
            }
            #expect(try await visible() == [fromInstall.id, fromStranger.id, fromI7.id])

            _ = try await store.setQuarantine(
                .install(install), quarantined: true, reason: nil, actor: "test", at: receivedAt(4))
            #expect(try await visible() == [fromStranger.id, fromI7.id])
            _ = try await store.setQuarantine(
                .machine(SubmissionFixture.i7.machineID), quarantined: true, reason: nil, actor: "test",
                at: receivedAt(5))
            #expect(try await visible() == [fromStranger.id])
            _ = try await store.setQuarantine(
                .install(install), quarantined: false, reason: nil, actor: "test", at: receivedAt(6))
            #expect(try await visible() == [fromInstall.id, fromStranger.id])
            // A machine whose every submission is quarantined leaves the machine list, and its verifications go with it.
            for n in [1, 3] {
                _ = try await store.setQuarantine(
                    .submission(SubmissionFixture.numbered(n).id), quarantined: true, reason: nil, actor: "test",
                    at: receivedAt(7)
                )
            }
            #expect(try await visible().isEmpty)
        }
    }

    @Test("deleting a machine's last submission deletes its verifications", arguments: StoreBackend.allCases)
    func deletion(_ backend: StoreBackend) async throws {
        try await Self.withVerificationStore(backend) { store in
            let deletion = SecretToken.generate()
            _ = try await store.ingest(
                SubmissionFixture.numbered(1), receivedAt: receivedAt(0),
                credentials: IngestCredentials(
                    presentedInstallHash: nil, newInstallHash: SecretToken.digest(SecretToken.generate()),
                    deletionHash: SecretToken.digest(deletion)),
                curves: [])
            _ = try await store.ingest(
                SubmissionFixture.numbered(2, machine: SubmissionFixture.i7), receivedAt: receivedAt(0))
            let kept = Self.verification(2, machine: SubmissionFixture.i7)
            _ = try await store.storeVerification(
                Self.verification(1), receivedAt: receivedAt(1), installTokenHash: nil, origin: nil)
            _ = try await store.storeVerification(kept, receivedAt: receivedAt(2), installTokenHash: nil, origin: nil)
            #expect(
                try await store.deleteSubmission(
                    id: SubmissionFixture.numbered(1).id, deletionTokenHash: SecretToken.digest(deletion),
                    at: receivedAt(3))
                    == .deleted(machineID: SubmissionFixture.epyc2Core.machineID, machineRemoved: true))
            #expect(try await store.verifications(VerificationQuery()).map(\.verification.id) == [kept.id])
            // The machine is gone with its data: a new verification of it is refused until it submits again.
            #expect(
                try await store.storeVerification(
                    Self.verification(3), receivedAt: receivedAt(4), installTokenHash: nil, origin: nil)
                    == .unknownMachine)
        }
    }
}
