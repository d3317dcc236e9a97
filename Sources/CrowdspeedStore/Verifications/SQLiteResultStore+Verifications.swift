import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore: VerificationStore {
    public func storeVerification(
        _ verification: Verification, receivedAt: Date, installTokenHash: String?, origin: String?
    ) async throws -> VerificationOutcome {
        let document = try verification.canonicalJSON()
        let id = verification.id.storeText
        return try await writer.write { db -> VerificationOutcome in
            if let stored = try String.fetchOne(
                db, sql: "SELECT document_json FROM verifications WHERE id = ?", arguments: [id])
            {
                guard stored == document else { throw StoreError.idConflict(verification.id) }
                return .duplicate
            }
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM machines WHERE id = ?", arguments: [verification.machineID]) != nil
            else { return .unknownMachine }
            let install = try installTokenHash.flatMap {
                try String.fetchOne(db, sql: "SELECT id FROM installs WHERE token_hash = ?", arguments: [$0])
            }
            try db.execute(
                sql: """
                    INSERT INTO verifications (id, machine_id, install_id, origin_hash, received_at, size_source,
                        formula_version, gain, gain_lower, predicted_gain, document_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, verification.machineID, install, origin, StoreTime.milliseconds(receivedAt),
                    verification.sizeSource.kind.rawValue, verification.sizeSource.formulaVersion, verification.gain,
                    verification.gainLower, verification.sizeSource.predictedGain, document,
                ])
            return .created
        }
    }

    /// Only the filters given become conditions, so that SQLite can use the index of the one
    /// given (`?1 IS NULL OR column = ?1` makes it scan the table).
    public func verifications(_ query: VerificationQuery) async throws -> [StoredVerification] {
        var conditions = [Self.visibleMachine, "coalesce(i.quarantined, 0) = 0"]
        var arguments = StatementArguments()
        if let version = query.formulaVersion {
            conditions.append("v.formula_version = ?")
            arguments += [version]
        }
        if let machineID = query.machineID {
            conditions.append("v.machine_id = ?")
            arguments += [machineID]
        }
        if let source = query.sizeSource {
            conditions.append("v.size_source = ?")
            arguments += [source.rawValue]
        }
        arguments += [query.clampedLimit]
        let bound = arguments
        let sql = """
            SELECT v.document_json, v.received_at FROM verifications v
            JOIN machines m ON m.id = v.machine_id LEFT JOIN installs i ON i.id = v.install_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY v.received_at DESC, v.id LIMIT ?
            """
        return try await writer.read { db -> [StoredVerification] in
            try Row.fetchAll(db, sql: sql, arguments: bound).map { row in
                StoredVerification(
                    verification: try Verification.fromCanonicalJSON(row["document_json"]),
                    receivedAt: StoreTime.date(milliseconds: row["received_at"]))
            }
        }
    }

    public func formulaVerificationGains(limit: Int) async throws -> [VerifiedGain] {
        let limit = VerificationQuery(limit: limit).clampedLimit
        return try await writer.read { db -> [VerifiedGain] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT v.formula_version, v.machine_id, v.gain, v.gain_lower, v.predicted_gain FROM verifications v
                    JOIN machines m ON m.id = v.machine_id LEFT JOIN installs i ON i.id = v.install_id
                    WHERE v.size_source = 'formula' AND v.formula_version IS NOT NULL AND \(Self.visibleMachine)
                        AND coalesce(i.quarantined, 0) = 0
                    ORDER BY v.received_at DESC, v.id LIMIT ?
                    """, arguments: [limit]
            ).map { row in
                VerifiedGain(
                    formulaVersion: row["formula_version"], machineID: row["machine_id"], gain: row["gain"],
                    gainLower: row["gain_lower"], predictedGain: row["predicted_gain"])
            }
        }
    }
}
