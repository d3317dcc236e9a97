import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStoreTestSupport
import Foundation
import Testing

/// Ingest and read back, and the submission id as the idempotency key, on every backend: what
/// the server stores is what the agent sent, and no retry or race stores anything twice.
@Suite("Ingest contract")
struct IngestContractTests {
    @Test(
        "a realistic sweep reads back equal, its wire bytes and samples bit for bit", arguments: StoreBackend.allCases)
    func roundTrip(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkRoundTrip(store) }
    }

    private func checkRoundTrip(_ store: some ResultStore) async throws {
        let json = try WireCoding.makeEncoder().encode(SubmissionFixture(createdAt: "2026-11-25T18:00:02.002Z").build())
        let submission = try WireCoding.makeDecoder().decode(Submission.self, from: json)
        #expect(submission.results.reduce(0) { $0 + $1.samples.count } == 380)
        let outcome = try await store.ingest(submission, receivedAt: receivedAt(0))
        #expect(outcome == .created(machineID: submission.machine.machineID))
        let stored = try #require(try await store.submission(id: submission.id))
        #expect(stored.submission == submission)
        #expect(try WireCoding.makeEncoder().encode(stored.submission) == json)
        #expect(stored.machineID == submission.machine.machineID)
        #expect(stored.receivedAt == receivedAt(0))
        #expect(!stored.quarantined && stored.flagReason == nil)
        // `==` on Double treats 0.0 and -0.0 alike; compare bit patterns too.
        for (read, sent) in zip(stored.submission.results, submission.results) {
            #expect(read.samples.map(\.cpuMs.bitPattern) == sent.samples.map(\.cpuMs.bitPattern))
            #expect(read.samples.map(\.foreignLoad.bitPattern) == sent.samples.map(\.foreignLoad.bitPattern))
        }
    }

    @Test(
        "optional parts stay absent, a seed above Int64.max survives, unknown ids read as nil",
        arguments: StoreBackend.allCases)
    func optionalsAndEdges(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, _ in try await checkOptionalsAndEdges(store) }
    }

    private func checkOptionalsAndEdges(_ store: some ResultStore) async throws {
        var fixture = SubmissionFixture(source: .import, includeRun: false)
        fixture.machine.cpuQuota = nil
        fixture.machine.cpuinfoCacheBytes = nil
        let bare = fixture.build()
        _ = try await store.ingest(bare, receivedAt: receivedAt(0))
        let stored = try #require(try await store.submission(id: bare.id))
        #expect(stored.submission == bare)
        #expect(stored.submission.run == nil)

        var seeded = SubmissionFixture(id: UUID(), seed: 2).build()
        seeded.run?.seed = UInt64.max - 7
        _ = try await store.ingest(seeded, receivedAt: receivedAt(1))
        #expect(try await store.submission(id: seeded.id)?.submission.run?.seed == UInt64.max - 7)

        #expect(try await store.submission(id: UUID()) == nil)
        #expect(try await store.machine(id: "m-0000000000000000") == nil)
    }

    @Test("the same submission twice is stored once and answered as a duplicate", arguments: StoreBackend.allCases)
    func duplicate(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkDuplicate(store, inspector) }
    }

    private func checkDuplicate(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let submission = SubmissionFixture().build()
        _ = try await store.ingest(submission, receivedAt: receivedAt(0))
        let before = try await tableCounts(inspector)
        let again = try await store.ingest(submission, receivedAt: receivedAt(5))
        #expect(again == .duplicate(machineID: submission.machine.machineID))
        #expect(try await tableCounts(inspector) == before)
        let machine = try #require(try await store.machine(id: submission.machine.machineID))
        #expect(machine.summary.submissionCount == 1)
        #expect(machine.summary.lastSeen == receivedAt(0), "a duplicate is not a new sighting")
        #expect(try await store.submission(id: submission.id)?.receivedAt == receivedAt(0))
    }

    @Test("the same id with different content is a conflict and changes nothing", arguments: StoreBackend.allCases)
    func conflict(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkConflict(store, inspector) }
    }

    private func checkConflict(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let submission = SubmissionFixture().build()
        var altered = submission
        altered.results[3].samples[7].cpuMs += 0.001
        _ = try await store.ingest(submission, receivedAt: receivedAt(0))
        let before = try await tableCounts(inspector)
        await #expect(throws: StoreError.idConflict(submission.id)) {
            try await store.ingest(altered, receivedAt: receivedAt(1))
        }
        #expect(try await tableCounts(inspector) == before)
        #expect(try await store.submission(id: submission.id)?.submission == submission)
    }

    @Test(
        "concurrent deliveries of one id: exactly one created, equal bodies duplicate, other bodies conflict",
        arguments: StoreBackend.allCases)
    func concurrentSameID(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkConcurrentSameID(store, inspector) }
    }

    private func checkConcurrentSameID(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let submission = SubmissionFixture(rounds: 3).build()
        let altered = {
            var altered = submission
            altered.results[0].samples[0].cpuMs += 0.5
            return altered
        }()
        let copies = 12
        // Every delivery carries credentials, as the server's do; half are the altered body.
        let outcomes = await withTaskGroup(of: Result<IngestOutcome, any Error>.self) { group in
            for index in 0..<copies {
                group.addTask {
                    do {
                        return .success(
                            try await store.ingest(
                                index.isMultiple(of: 2) ? submission : altered, receivedAt: receivedAt(index),
                                credentials: freshCredentials(), curves: []
                            ).outcome)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var created = 0
        var duplicates = 0
        var conflicts = 0
        for outcome in outcomes {
            switch outcome {
            case .success(.created): created += 1
            case .success(.duplicate): duplicates += 1
            case .failure(let error as StoreError) where error == .idConflict(submission.id): conflicts += 1
            case .failure(let error): Issue.record("a concurrent delivery failed with \(error)")
            }
        }
        #expect(created == 1)
        // Whichever body won, the six equal to it are one created and five duplicates.
        #expect(duplicates == copies / 2 - 1)
        #expect(conflicts == copies / 2)
        #expect(try await inspector.count("submissions") == 1)
        #expect(try await inspector.count("installs") == 1, "only the winner's install is kept")
        #expect(try await inspector.count("results") == submission.results.count)
        let machine = try #require(try await store.machine(id: submission.machine.machineID))
        #expect(machine.summary.submissionCount == 1)
        #expect(try await inspector.storedCounters() == inspector.recountedCounters())
    }

    @Test(
        "concurrent ingests of one machine's different submissions count each once", arguments: StoreBackend.allCases)
    func concurrentSameMachine(_ backend: StoreBackend) async throws {
        try await withStore(backend) { store, inspector in try await checkConcurrentSameMachine(store, inspector) }
    }

    private func checkConcurrentSameMachine(_ store: some ResultStore, _ inspector: any StoreInspector) async throws {
        let submissions = (0..<10).map { SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64($0)).build() }
        let curve = WorkloadCurve(
            benchmark: "gcbench", benchmarkVersion: "1", procs: 1,
            curve: Curve(
                nurseries: [1 << 20, 8 << 20], roundIDs: [0], roundRatios: [1.1, 0.9], defaultNurseryBytes: 256 << 10))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, submission) in submissions.enumerated() {
                group.addTask {
                    _ = try await store.ingest(
                        submission, receivedAt: receivedAt(index), credentials: freshCredentials(), curves: [curve])
                }
            }
            try await group.waitForAll()
        }
        let machineID = SubmissionFixture.epyc2Core.machineID
        let machine = try #require(try await store.machine(id: machineID))
        #expect(machine.summary.submissionCount == 10)
        #expect(machine.summary.firstSeen == receivedAt(0) && machine.summary.lastSeen == receivedAt(9))
        let windows = try await inspector.windows(machineID: machineID)
        #expect(windows.map(\.submissionCount) == [10])
        #expect(windows.map(\.revision) == [10], "every ingest extended the window it read, none was lost")
        let counters = try #require(try await inspector.storedCounters())
        #expect(counters == (try await inspector.recountedCounters()))
        #expect(counters.machines == 1 && counters.submissions == 10 && counters.interpreters == 1)
    }
}

/// Credentials with fresh tokens and no install presented: each creates its own install.
func freshCredentials(presenting install: String? = nil) -> IngestCredentials {
    IngestCredentials(
        presentedInstallHash: install.map(SecretToken.digest),
        newInstallHash: SecretToken.digest(SecretToken.generate()),
        deletionHash: SecretToken.digest(SecretToken.generate()))
}

/// Row counts of the data tables, to show that something was, or was not, written.
func tableCounts(_ inspector: any StoreInspector) async throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for table in ["machines", "interpreters", "submissions", "results", "result_summaries", "curves", "installs"] {
        counts[table] = try await inspector.count(table)
    }
    return counts
}
