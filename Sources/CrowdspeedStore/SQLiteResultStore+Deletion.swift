import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Deletes a submission whose deletion digest matches, in one transaction: the submission row
    /// (its results and sample blobs go with it by `ON DELETE CASCADE`), the machine's aggregates
    /// recomputed from what remains (or the machine row removed when nothing remains), and an
    /// audit entry. The digests are compared in constant time.
    public func deleteSubmission(id: UUID, deletionTokenHash: String, at: Date) async throws -> DeletionOutcome {
        let now = StoreTime.milliseconds(at)
        return try await writer.write { db -> DeletionOutcome in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT machine_id, deletion_token_hash FROM submissions WHERE id = ?",
                    arguments: [id.storeText])
            else { return .notFound }
            // Submissions stored without a token (imports, or before tokens existed) cannot be
            // deleted this way; an operator can quarantine them.
            guard let stored: String = row["deletion_token_hash"],
                SecretToken.constantTimeEqual(stored, deletionTokenHash)
            else {
                return .forbidden
            }
            let machineID: String = row["machine_id"]
            try db.execute(sql: "DELETE FROM submissions WHERE id = ?", arguments: [id.storeText])
            let removed = try Self.refreshMachine(db, id: machineID)
            if !removed { try Self.rebuildWindows(db, machineID: machineID) }
            try Self.recountDashboard(db)
            try Self.audit(db, at: now, actor: "submitter", action: "delete", target: .submission(id), reason: nil)
            return .deleted(machineID: machineID, machineRemoved: removed)
        }
    }

    /// Recomputes a machine's aggregates from its remaining submissions, and its hardware
    /// columns from the most recently received one; deletes the row when none remains.
    /// - Returns: true when the machine row was deleted.
    static func refreshMachine(_ db: Database, id: String) throws -> Bool {
        guard
            let latest = try Row.fetchOne(
                db,
                sql: """
                    SELECT machine_json, received_at FROM submissions WHERE machine_id = ? ORDER BY received_at DESC, id LIMIT 1
                    """, arguments: [id])
        else {
            try db.execute(sql: "DELETE FROM machines WHERE id = ?", arguments: [id])
            return true
        }
        let json: String = latest["machine_json"]
        let machine = try WireCoding.makeDecoder().decode(MachineInfo.self, from: Data(json.utf8))
        try db.execute(
            sql: """
                UPDATE machines SET
                    arch = ?, os = ?, os_version = ?, kernel = ?, cpu_vendor = ?, cpu_model = ?, physical_cores = ?,
                    logical_cpus = ?, memory_bytes = ?, l2_bytes = ?, l3_bytes = ?, cpuinfo_cache_bytes = ?, virtualized = ?,
                    cpu_quota = ?, hardware_json = ?,
                    submission_count = (SELECT count(*) FROM submissions WHERE machine_id = ?),
                    first_seen = (SELECT min(received_at) FROM submissions WHERE machine_id = ?),
                    last_seen = (SELECT max(received_at) FROM submissions WHERE machine_id = ?)
                WHERE id = ?
                """,
            arguments: [
                machine.arch, machine.os, machine.osVersion, machine.kernel, machine.cpuVendor, machine.cpuModel,
                machine.physicalCores, machine.logicalCPUs, machine.memoryBytes, machine.cacheBytes(level: 2),
                machine.cacheBytes(level: 3), machine.cpuinfoCacheBytes, machine.virtualized, machine.cpuQuota, json,
                id, id, id, id,
            ])
        return false
    }

    /// Appends one audit log entry.
    static func audit(
        _ db: Database, at: Int64, actor: String, action: String, target: ModerationTarget, reason: String?
    ) throws {
        try db.execute(
            sql: "INSERT INTO audit_log (at, actor, action, target_kind, target_id, reason) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [at, actor, action, target.kind, target.id, reason])
    }
}
