import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Sets the quarantine flag of one submission, install or machine and audits the request, in
    /// one transaction, as `SQLiteResultStore` does: an install's or a machine's flag hides
    /// everything under it without touching the submissions' own flags; the windows of the
    /// machines whose submissions it hides or shows are rebuilt, and the dashboard recounted.
    public func setQuarantine(
        _ target: ModerationTarget, quarantined: Bool, reason: String?, actor: String, at: Date
    ) async throws -> ModerationOutcome {
        let now = StoreTime.milliseconds(at)
        let table = target.table
        return try await writeTransaction { connection -> ModerationOutcome in
            if case .submission(let id) = target {
                // The machine's row first, as an ingest locks it, so that the two take turns.
                try await connection.query(
                    """
                    SELECT m.id FROM machines m JOIN submissions s ON s.machine_id = m.id
                    WHERE s.id = \(id.storeText) FOR UPDATE OF m
                    """, logger: logger)
            }
            guard
                let current = try await Self.rows(
                    connection,
                    "SELECT quarantined FROM \(unescaped: table) WHERE id = \(target.id) FOR UPDATE", logger: logger
                ).first
            else { return .notFound }
            let wasQuarantined = try current["quarantined"].decode(Bool.self)
            if wasQuarantined != quarantined {
                try await connection.query(
                    "UPDATE \(unescaped: table) SET quarantined = \(quarantined) WHERE id = \(target.id)",
                    logger: logger)
                let machines: [String]
                switch target {
                case .submission(let id):
                    machines = try await Self.rows(
                        connection, "SELECT machine_id FROM submissions WHERE id = \(id.storeText)", logger: logger
                    ).map { try $0["machine_id"].decode(String.self) }
                case .install(let id):
                    // Locked in id order, so two moderations never wait on each other in a cycle.
                    machines = try await Self.rows(
                        connection,
                        """
                        SELECT id FROM machines
                        WHERE id IN (SELECT machine_id FROM submissions WHERE install_id = \(id))
                        ORDER BY id FOR UPDATE
                        """, logger: logger
                    ).map { try $0["id"].decode(String.self) }
                case .machine:
                    machines = []
                }
                for machine in machines {
                    try await Self.rebuildWindows(machineID: machine, on: connection, logger: logger)
                }
                try await Self.recountDashboard(connection, logger: logger)
            }
            try await Self.audit(
                at: now, actor: actor, action: quarantined ? "quarantine" : "release", target: target, reason: reason,
                on: connection, logger: logger)
            return wasQuarantined == quarantined ? .unchanged : .changed
        }
    }

    /// The `limit` most recent audit entries, newest first (at most 10 000 per call).
    public func auditLog(limit: Int) async throws -> [AuditEntry] {
        let limit = min(max(0, limit), 10_000)
        return try await rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(limit)").map { row in
            AuditEntry(
                id: try row["id"].decode(Int64.self), at: try Self.date(row["at"]),
                actor: try row["actor"].decode(String.self), action: try row["action"].decode(String.self),
                targetKind: try row["target_kind"].decode(String.self),
                targetID: try row["target_id"].decode(String.self), reason: try row["reason"].decode(String?.self))
        }
    }

    /// Every submission's provenance, for the fit's quarantine filter and install weight cap.
    public func submissionProvenance() async throws -> [SubmissionProvenance] {
        try await rows(
            """
            SELECT s.id, s.machine_id, s.install_id, s.source, s.flag_reason, s.origin_hash, m.arch, m.cpu_vendor,
                \(unescaped: Self.effectiveQuarantine) AS effective_quarantine
            FROM submissions s JOIN machines m ON m.id = s.machine_id LEFT JOIN installs n ON n.id = s.install_id
            ORDER BY s.received_at, s.id
            """
        ).map { row in
            let arch = try row["arch"].decode(String.self)
            let vendor = try row["cpu_vendor"].decode(String.self)
            return SubmissionProvenance(
                submissionID: try Self.uuid(row["id"]), machineID: try row["machine_id"].decode(String.self),
                installID: try row["install_id"].decode(String?.self), hardwareClass: "\(arch.lowercased())/\(vendor)",
                source: try Self.source(row["source"]),
                quarantined: try row["effective_quarantine"].decode(Bool.self),
                flagReason: try row["flag_reason"].decode(String?.self),
                origin: try row["origin_hash"].decode(String?.self))
        }
    }
}
