import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// The migration that added `dashboard_counters`.
    static let dashboardCountersMigration = "0008_dashboard_counters"

    /// Recounts the dashboard's headline numbers from the tables, in the caller's transaction:
    /// when the counters' migration is applied, and after a deletion or a moderation (rare, and
    /// their effect on what is visible reaches across a machine's or an install's submissions).
    static func recountDashboard(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO dashboard_counters (id, machines, submissions, samples, interpreters, last_received_at)
                SELECT 1, count(DISTINCT s.machine_id), count(*), coalesce(sum(s.sample_count), 0),
                    count(DISTINCT s.interpreter_id), max(s.received_at)
                FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                WHERE NOT \(effectiveQuarantine)
                """)
    }

    /// Counts a new submission, in its ingest transaction, when it is visible: its machine
    /// becomes visible with its first visible submission, its interpreter likewise.
    static func countIngest(
        _ db: Database, submissionID: String, machineID: String, interpreterID: Int64, installID: String?,
        samples: Int, receivedAt: Int64
    ) throws {
        let hidden = try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT m.quarantined = 1 OR coalesce(n.quarantined, 0) = 1
                    FROM machines m LEFT JOIN installs n ON n.id = ?
                    WHERE m.id = ?
                    """), arguments: [installID, machineID])
        guard hidden == false else { return }
        let otherVisible = """
            SELECT EXISTS (SELECT 1 FROM submissions s JOIN machines m ON m.id = s.machine_id
                LEFT JOIN installs n ON n.id = s.install_id
                WHERE s.%@ = ? AND s.id <> ? AND NOT \(effectiveQuarantine))
            """
        let machineSeen =
            try Bool.fetchOne(
                db.cachedStatement(sql: otherVisible.replacingOccurrences(of: "%@", with: "machine_id")),
                arguments: [machineID, submissionID]) ?? false
        let interpreterSeen =
            try Bool.fetchOne(
                db.cachedStatement(sql: otherVisible.replacingOccurrences(of: "%@", with: "interpreter_id")),
                arguments: [interpreterID, submissionID]) ?? false
        try db.cachedStatement(
            sql: """
                UPDATE dashboard_counters SET submissions = submissions + 1, samples = samples + ?,
                    machines = machines + ?, interpreters = interpreters + ?,
                    last_received_at = max(coalesce(last_received_at, ?), ?)
                WHERE id = 1
                """
        ).execute(arguments: [samples, machineSeen ? 0 : 1, interpreterSeen ? 0 : 1, receivedAt, receivedAt])
    }

    /// The counters as stored.
    static func dashboardCounters(_ db: Database) throws -> DashboardCounts {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM dashboard_counters WHERE id = 1") else {
            return DashboardCounts(machines: 0, submissions: 0, samples: 0, interpreters: 0, lastReceivedAt: nil)
        }
        return DashboardCounts(
            machines: row["machines"], submissions: row["submissions"], samples: row["samples"],
            interpreters: row["interpreters"],
            lastReceivedAt: (row["last_received_at"] as Int64?).map(StoreTime.date(milliseconds:)))
    }
}
