import CrowdspeedCore
import Foundation
import GRDB
import Testing
import CrowdspeedStoreTestSupport

@testable import CrowdspeedStore

/// The overview's counts come from a row maintained with every change; after any sequence of
/// ingests, quarantines, releases and deletions they must equal a count over the tables.
@Suite("Dashboard counters")
struct DashboardCountersTests {
    /// The counts as the tables give them (what the overview computed per request before).
    static func counted(_ store: SQLiteResultStore) async throws -> DashboardCounts {
        try await store.writer.read { db in
            let row = try #require(
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(DISTINCT s.machine_id) AS machines, count(*) AS submissions,
                            coalesce(sum(s.sample_count), 0) AS samples, count(DISTINCT s.interpreter_id) AS interpreters,
                            max(s.received_at) AS last_received
                        FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                        WHERE NOT \(SQLiteResultStore.effectiveQuarantine)
                        """))
            return DashboardCounts(
                machines: row["machines"], submissions: row["submissions"], samples: row["samples"],
                interpreters: row["interpreters"],
                lastReceivedAt: (row["last_received"] as Int64?).map(StoreTime.date(milliseconds:)))
        }
    }

    @Test("the maintained counts equal a recount after every ingest, quarantine, release and deletion")
    func countersFollowChanges() async throws {
        try await withTemporaryStore { store in
            func check(_ step: String) async throws {
                let expected = try await Self.counted(store)
                #expect(try await store.dashboardCounts() == expected, "\(step)")
                #expect(try await store.machineCount(filter: nil) == expected.machines, "\(step)")
            }
            try await check("empty")
            let (credentials, installToken, deletionToken) = TestCredentials.make()
            var fixture = SubmissionFixture()
            let first = fixture.build()
            let stored = try await store.ingest(first, receivedAt: receivedAt(0), credentials: credentials, curves: [])
            try await check("first")
            fixture.id = UUID()
            fixture.interpreter = InterpreterInfo(
                implementation: "CPython", version: "3.11.2", languageVersion: "3.11.2", executable: "python3")
            let second = fixture.build()
            fixture.interpreter = SubmissionFixture().interpreter
            _ = try await store.ingest(
                second, receivedAt: receivedAt(1), credentials: TestCredentials.make(presenting: installToken).0,
                curves: [])
            try await check("second interpreter")
            var other = SubmissionFixture()
            other.id = UUID()
            other.machine = SubmissionFixture.i7
            _ = try await store.ingest(other.build(), receivedAt: receivedAt(2), credentials: nil, curves: [])
            try await check("second machine")

            let install = ModerationTarget.install(try #require(stored.installID))
            _ = try await store.setQuarantine(install, quarantined: true, reason: nil, actor: "t", at: receivedAt(3))
            try await check("install quarantined")
            // A new submission from the quarantined install stays uncounted; one from elsewhere on
            // the hidden machine makes it visible again, with its interpreter.
            fixture.id = UUID()
            _ = try await store.ingest(
                fixture.build(), receivedAt: receivedAt(4),
                credentials: TestCredentials.make(presenting: installToken).0, curves: [])
            try await check("ingest from a quarantined install")
            fixture.id = UUID()
            _ = try await store.ingest(fixture.build(), receivedAt: receivedAt(5), credentials: nil, curves: [])
            try await check("hidden machine seen again")
            _ = try await store.setQuarantine(install, quarantined: false, reason: nil, actor: "t", at: receivedAt(6))
            try await check("install released")
            _ = try await store.setQuarantine(
                .machine(SubmissionFixture.i7.machineID), quarantined: true, reason: nil, actor: "t", at: receivedAt(7))
            try await check("machine quarantined")
            #expect(
                try await store.deleteSubmission(
                    id: first.id, deletionTokenHash: SecretToken.digest(deletionToken), at: receivedAt(8))
                    == .deleted(machineID: first.machine.machineID, machineRemoved: false))
            try await check("deleted")
            let counts = try await store.dashboardCounts()
            #expect(counts.machines == 1 && counts.submissions == 3 && counts.interpreters == 2)
        }
    }
}
