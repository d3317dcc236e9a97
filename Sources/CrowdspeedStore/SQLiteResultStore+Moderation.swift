import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Sets the quarantine flag of one submission, install or machine and audits the request, in
    /// one transaction. Quarantining an install or a machine hides everything under it without
    /// touching the submissions' own flags, so releasing it restores exactly what was visible.
    ///
    /// The machine curves (the machine page's best sizes) leave out quarantined submissions and
    /// installs, so their windows are rebuilt here (the caller then summarizes them); a
    /// quarantined machine is hidden whole and keeps them.
    public func setQuarantine(
        _ target: ModerationTarget, quarantined: Bool, reason: String?, actor: String, at: Date
    ) async throws -> ModerationOutcome {
        let now = StoreTime.milliseconds(at)
        let table = target.table
        return try await writer.write { db -> ModerationOutcome in
            guard
                let current = try Bool.fetchOne(
                    db, sql: "SELECT quarantined FROM \(table) WHERE id = ?", arguments: [target.id])
            else {
                return .notFound
            }
            if current != quarantined {
                try db.execute(
                    sql: "UPDATE \(table) SET quarantined = ? WHERE id = ?", arguments: [quarantined, target.id])
                let machines: [String] =
                    switch target {
                    case .submission(let id):
                        try String.fetchAll(
                            db, sql: "SELECT machine_id FROM submissions WHERE id = ?", arguments: [id.storeText])
                    case .install(let id):
                        try String.fetchAll(
                            db, sql: "SELECT DISTINCT machine_id FROM submissions WHERE install_id = ?", arguments: [id]
                        )
                    case .machine: []
                    }
                for machine in machines {
                    try Self.rebuildWindows(db, machineID: machine)
                }
                try Self.recountDashboard(db)
            }
            try Self.audit(
                db, at: now, actor: actor, action: quarantined ? "quarantine" : "release", target: target,
                reason: reason)
            return current == quarantined ? .unchanged : .changed
        }
    }

    /// The `limit` most recent audit entries, newest first (at most 10 000 per call).
    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        let limit = min(max(0, limit), 10_000)
        return try await writer.read { db -> [AuditEntry] in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit]).map {
                row in
                AuditEntry(
                    id: row["id"], at: StoreTime.date(milliseconds: row["at"]), actor: row["actor"],
                    action: row["action"],
                    targetKind: row["target_kind"], targetID: row["target_id"], reason: row["reason"])
            }
        }
    }

    /// Every submission's provenance, for the fit's quarantine filter and install weight cap.
    public func submissionProvenance() async throws -> [SubmissionProvenance] {
        try await writer.read { db -> [SubmissionProvenance] in try Self.submissionProvenance(db) }
    }

    /// Every submission's provenance inside an open read.
    static func submissionProvenance(_ db: Database) throws -> [SubmissionProvenance] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT s.id, s.machine_id, s.install_id, s.source, s.flag_reason, s.origin_hash, m.arch, m.cpu_vendor,
                    \(Self.effectiveQuarantine) AS effective_quarantine
                FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
                ORDER BY s.received_at, s.id
                """
        ).map { row in
            let arch: String = row["arch"]
            let vendor: String = row["cpu_vendor"]
            return SubmissionProvenance(
                submissionID: try Self.uuid(row["id"]), machineID: row["machine_id"], installID: row["install_id"],
                hardwareClass: "\(arch.lowercased())/\(vendor)", source: try Self.source(row["source"]),
                quarantined: row["effective_quarantine"], flagReason: row["flag_reason"], origin: row["origin_hash"])
        }
    }
}
