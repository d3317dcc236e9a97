import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedStorePostgres
import CrowdspeedStoreTestSupport
import Foundation
import PostgresNIO
import Testing

/// Two stores with clients (pools) of their own on one database, as two server instances run:
/// racing ingests of one id and of one machine store everything exactly once, and no race
/// surfaces as an error other than the id conflict a client must be told about.
@Suite(
    "PostgreSQL: two servers ingesting at once", .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason))
struct TwoServerIngestTests {
    @Test("the same id delivered to both servers at once: one created, equal bodies duplicate, others conflict")
    func sameIDOnBoth() async throws {
        try await withTwoServers { first, second, inspector async throws in
            let submission = SubmissionFixture(rounds: 3).build()
            let altered = {
                var altered = submission
                altered.results[1].samples[2].wallMs += 1
                return altered
            }()
            let deliveries = 16
            let outcomes = await withTaskGroup(of: String.self) { group in
                for index in 0..<deliveries {
                    group.addTask {
                        let store = index.isMultiple(of: 2) ? first : second
                        // Each server gets both bodies: index 0, 1, 4, 5, … send the original.
                        let body = (index / 2).isMultiple(of: 2) ? submission : altered
                        do {
                            switch try await store.ingest(body, receivedAt: receivedAt(index)) {
                            case .created: return "created"
                            case .duplicate: return "duplicate"
                            }
                        } catch let error as StoreError where error == .idConflict(submission.id) {
                            return "conflict"
                        } catch {
                            return "error: \(String(reflecting: error))"
                        }
                    }
                }
                return await group.reduce(into: [:]) { counts, outcome in counts[outcome, default: 0] += 1 }
            }
            #expect(outcomes == ["created": 1, "duplicate": deliveries / 2 - 1, "conflict": deliveries / 2])
            #expect(try await inspector.count("submissions") == 1)
            #expect(try await inspector.count("results") == submission.results.count)
            #expect(try await first.machine(id: submission.machine.machineID)?.summary.submissionCount == 1)
            #expect(try await inspector.storedCounters() == inspector.recountedCounters())
        }
    }

    @Test("one machine's submissions split over both servers: aggregates, windows and counters count each once")
    func oneMachineOnBoth() async throws {
        try await withTwoServers { first, second, inspector async throws in
            let curve = WorkloadCurve(
                benchmark: "gcbench", benchmarkVersion: "1", procs: 1,
                curve: Curve(
                    nurseries: [1 << 20, 8 << 20], roundIDs: [0], roundRatios: [1.1, 0.9],
                    defaultNurseryBytes: 256 << 10))
            let count = 20
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let store = index.isMultiple(of: 2) ? first : second
                        let submission = SubmissionFixture(id: UUID(), rounds: 3, seed: UInt64(index)).build()
                        let credentials = IngestCredentials(
                            presentedInstallHash: nil, newInstallHash: SecretToken.digest(SecretToken.generate()),
                            deletionHash: SecretToken.digest(SecretToken.generate()))
                        _ = try await store.ingest(
                            submission, receivedAt: receivedAt(index), credentials: credentials, curves: [curve])
                    }
                }
                try await group.waitForAll()
            }
            let machineID = SubmissionFixture.epyc2Core.machineID
            let machine = try #require(try await second.machine(id: machineID))
            #expect(machine.summary.submissionCount == count)
            #expect(machine.submissions.count == count)
            let windows = try await inspector.windows(machineID: machineID)
            #expect(windows.map(\.submissionCount) == [count])
            #expect(windows.map(\.revision) == [Int64(count)])
            let counters = try #require(try await inspector.storedCounters())
            #expect(counters == (try await inspector.recountedCounters()))
            #expect(counters.machines == 1 && counters.submissions == count && counters.interpreters == 1)
        }
    }

    /// Two stores, each with a client of its own, on one fresh migrated database.
    private func withTwoServers(
        _ body: (PostgresResultStore, PostgresResultStore, PostgresInspector) async throws -> Void
    ) async throws {
        try await TestPostgres.withFreshDatabase { url in
            try await TestPostgres.withClient(url, maximumConnections: 6) { firstClient in
                try await PostgresMigrationRunner().migrate(firstClient, logger: TestPostgres.logger)
                try await TestPostgres.withClient(url, maximumConnections: 6) { secondClient in
                    try await body(
                        PostgresResultStore(client: firstClient, logger: TestPostgres.logger),
                        PostgresResultStore(client: secondClient, logger: TestPostgres.logger),
                        PostgresInspector(client: firstClient))
                }
            }
        }
    }
}
