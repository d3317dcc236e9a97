import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Deletes a submission whose deletion digest matches, in one transaction, as
    /// `SQLiteResultStore` does: the submission row (its results, summaries and curves go with it
    /// by `ON DELETE CASCADE`), the machine's aggregates recomputed from what remains (or the
    /// machine row removed when nothing remains), its curve windows rebuilt, the dashboard
    /// counters recounted, and an audit entry. The digests are compared in constant time.
    public func deleteSubmission(id: UUID, deletionTokenHash: String, at: Date) async throws -> DeletionOutcome {
        let now = StoreTime.milliseconds(at)
        return try await writeTransaction { connection -> DeletionOutcome in
            // Locks the machine row first, as an ingest does, so that the two take turns on the
            // machine's aggregates and windows; then the submission row.
            guard
                let row = try await Self.rows(
                    connection,
                    """
                    SELECT s.machine_id, s.deletion_token_hash FROM submissions s
                    JOIN machines m ON m.id = s.machine_id
                    WHERE s.id = \(id.storeText)
                    FOR UPDATE
                    """, logger: logger
                ).first
            else { return .notFound }
            // Submissions stored without a token (imports, or before tokens existed) cannot be
            // deleted this way; an operator can quarantine them.
            guard let stored = try row["deletion_token_hash"].decode(String?.self),
                SecretToken.constantTimeEqual(stored, deletionTokenHash)
            else {
                return .forbidden
            }
            let machineID = try row["machine_id"].decode(String.self)
            try await connection.query("DELETE FROM submissions WHERE id = \(id.storeText)", logger: logger)
            let removed = try await Self.refreshMachine(machineID, on: connection, logger: logger)
            if !removed { try await Self.rebuildWindows(machineID: machineID, on: connection, logger: logger) }
            try await Self.recountDashboard(connection, logger: logger)
            try await Self.audit(
                at: now, actor: "submitter", action: "delete", target: .submission(id), reason: nil, on: connection,
                logger: logger)
            return .deleted(machineID: machineID, machineRemoved: removed)
        }
    }

    /// Recomputes a machine's aggregates from its remaining submissions, and its hardware
    /// columns from the most recently received one; deletes the row when none remains.
    /// - Returns: true when the machine row was deleted.
    static func refreshMachine(_ id: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        guard
            let latest = try await rows(
                connection,
                """
                SELECT machine_json FROM submissions WHERE machine_id = \(id) ORDER BY received_at DESC, id LIMIT 1
                """, logger: logger
            ).first
        else {
            try await connection.query("DELETE FROM machines WHERE id = \(id)", logger: logger)
            return true
        }
        let json = try latest["machine_json"].decode(String.self)
        let machine = try WireCoding.makeDecoder().decode(MachineInfo.self, from: Data(json.utf8))
        try await connection.query(
            """
            UPDATE machines SET
                arch = \(machine.arch), os = \(machine.os), os_version = \(machine.osVersion),
                kernel = \(machine.kernel), cpu_vendor = \(machine.cpuVendor), cpu_model = \(machine.cpuModel),
                physical_cores = \(machine.physicalCores), logical_cpus = \(machine.logicalCPUs),
                memory_bytes = \(machine.memoryBytes), l2_bytes = \(machine.cacheBytes(level: 2)),
                l3_bytes = \(machine.cacheBytes(level: 3)), cpuinfo_cache_bytes = \(machine.cpuinfoCacheBytes),
                virtualized = \(machine.virtualized), cpu_quota = \(machine.cpuQuota), hardware_json = \(json),
                (submission_count, first_seen, last_seen) = (
                    SELECT count(*), min(received_at), max(received_at) FROM submissions WHERE machine_id = \(id))
            WHERE id = \(id)
            """, logger: logger)
        return false
    }

    /// Appends one audit log entry.
    static func audit(
        at: Int64, actor: String, action: String, target: ModerationTarget, reason: String?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (at, actor, action, target_kind, target_id, reason)
            VALUES (\(at), \(actor), \(action), \(target.kind), \(target.id), \(reason))
            """, logger: logger)
    }
}
