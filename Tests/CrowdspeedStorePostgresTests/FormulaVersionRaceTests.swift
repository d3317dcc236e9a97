import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedStorePostgres
import CrowdspeedStoreTestSupport
import Foundation
import PostgresNIO
import Testing

/// `insertFormula` takes its version from the database: when another instance has taken the
/// next version and not yet committed, the insert waits for it and then takes the one after,
/// rather than failing or reusing the number.
@Suite("PostgreSQL formula versions", .timeLimit(.minutes(2)))
struct FormulaVersionRaceTests {
    @Test("an insert that loses the next version to an uncommitted one takes the version after it")
    func losesRaceThenTakesNext() async throws {
        try await withPostgresStore { store in
            let formula = NewFormula(
                scope: .real, createdAt: receivedAt(0), inputSubmissions: 1,
                metrics: FormulaMetrics(
                    globalName: "pypy_default", globalText: "PyPy's rule", heldOutRegret: nil, pypyDefaultRegret: nil,
                    bestConstantRegret: nil, noiseFloor: nil, gainOverDefault: nil, machines: 0, curves: 0,
                    cpuModels: 0),
                fitMilliseconds: 1, reportJSON: "{}", intervalsJSON: "[]")
            let logger = TestPostgres.logger
            let version = try await store.client.withConnection { other in
                // The other instance: version 1 written, its transaction still open.
                try await other.query("BEGIN", logger: logger)
                try await other.query(
                    """
                    INSERT INTO formulas (version, created_at, scope, sources, input_submissions, global_name,
                        global_text, machines, curves, cpu_models, fit_milliseconds, report_json, intervals_json)
                    VALUES (1, 0, 'real', 'agent,import', 0, 'other', 'other', 0, 0, 0, 0, '{}', '[]')
                    """, logger: logger)
                let insert = Task { try await store.insertFormula(formula) }
                // Commit only once the store's insert waits on version 1's key.
                while try await Self.waitingOnLocks(store.client) == 0 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                try await other.query("COMMIT", logger: logger)
                return try await insert.value
            }
            #expect(version == 2)
            #expect(try await store.formulaHistory(scope: nil, limit: 10).map(\.version) == [2, 1])
        }
    }

    /// Sessions of this database waiting for a lock.
    private static func waitingOnLocks(_ client: PostgresClient) async throws -> Int {
        try await client.query(
            """
            SELECT count(*)::bigint FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'
            """, logger: TestPostgres.logger
        ).collect().first?.decode(Int.self) ?? 0
    }
}
