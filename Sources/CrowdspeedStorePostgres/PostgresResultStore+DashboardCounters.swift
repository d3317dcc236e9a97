import CrowdspeedStore
import PostgresNIO

extension PostgresResultStore {
    /// Takes the row lock of `dashboard_counters` (creating the row, zero, in a database that has
    /// none yet) until the transaction ends.
    ///
    /// Every write that changes the counters takes it last, after its other writes, and reads
    /// what it counts in a later statement: under read committed, that statement's snapshot then
    /// holds every commit of the transactions that held the lock before, so two servers counting
    /// the same machine's first submissions at once count it once. Holding it only from here to
    /// `COMMIT` keeps the queue on this one row short.
    static func lockDashboardCounters(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO dashboard_counters (id, machines, submissions, samples, interpreters)
            VALUES (1, 0, 0, 0, 0)
            ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id
            """, logger: logger)
    }

    /// Counts a new visible submission (its machine and install are not quarantined), after
    /// ``lockDashboardCounters(_:logger:)``: its machine becomes visible with its first visible
    /// submission, its interpreter likewise.
    func countIngest(_ prepared: PreparedIngest, interpreterID: Int64, on connection: PostgresConnection) async throws {
        let visible = """
            SELECT 1 FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
            WHERE s.id <> $1 AND NOT \(Self.effectiveQuarantine)
            """
        var seen = PostgresBindings()
        seen.append(prepared.id)
        seen.append(prepared.machineID)
        seen.append(interpreterID)
        let row = try await Self.rows(
            connection,
            PostgresQuery(
                unsafeSQL: """
                    SELECT EXISTS (\(visible) AND s.machine_id = $2) AS machine_seen,
                        EXISTS (\(visible) AND s.interpreter_id = $3) AS interpreter_seen
                    """, binds: seen), logger: logger)[0]
        let newMachine = try row["machine_seen"].decode(Bool.self) ? 0 : 1
        let newInterpreter = try row["interpreter_seen"].decode(Bool.self) ? 0 : 1
        try await connection.query(
            """
            UPDATE dashboard_counters SET submissions = submissions + 1, samples = samples + \(prepared.sampleCount),
                machines = machines + \(newMachine), interpreters = interpreters + \(newInterpreter),
                last_received_at = GREATEST(coalesce(last_received_at, \(prepared.received)), \(prepared.received))
            WHERE id = 1
            """, logger: logger)
    }

    /// Recounts the dashboard's headline numbers from the tables, in the caller's transaction,
    /// after a deletion or a moderation (as `SQLiteResultStore` does), and after a bulk load that
    /// bypassed ingest (a copy from SQLite).
    static func recountDashboard(_ connection: PostgresConnection, logger: Logger) async throws {
        try await lockDashboardCounters(connection, logger: logger)
        try await connection.query(
            """
            UPDATE dashboard_counters SET (machines, submissions, samples, interpreters, last_received_at) = (
                SELECT count(DISTINCT s.machine_id), count(*), coalesce(sum(s.sample_count), 0),
                    count(DISTINCT s.interpreter_id), max(s.received_at)
                FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                WHERE NOT \(unescaped: effectiveQuarantine))
            WHERE id = 1
            """, logger: logger)
    }
}
