import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

/// Verification results on PostgreSQL: the same rows, outcomes and visibility as
/// `SQLiteResultStore+Verifications.swift`.
extension PostgresResultStore: VerificationStore {
    /// One transaction: the machine row is share-locked (a deletion of the machine waits). Two
    /// servers storing the same id at once collide on the primary key; the loser runs again
    /// (``writeTransaction(_:)``) and then finds the winner's row.
    public func storeVerification(
        _ verification: Verification, receivedAt: Date, installTokenHash: String?, origin: String?
    ) async throws -> VerificationOutcome {
        let document = try verification.canonicalJSON()
        let id = verification.id.storeText
        let logger = logger
        return try await writeTransaction { connection -> VerificationOutcome in
            if let stored = try await Self.rows(
                connection, "SELECT document_json FROM verifications WHERE id = \(id)", logger: logger
            ).first {
                guard try stored["document_json"].decode(String.self) == document else {
                    throw StoreError.idConflict(verification.id)
                }
                return .duplicate
            }
            let machine = try await Self.rows(
                connection, "SELECT 1 FROM machines WHERE id = \(verification.machineID) FOR SHARE", logger: logger)
            guard !machine.isEmpty else { return .unknownMachine }
            var install: String?
            if let installTokenHash {
                install = try await Self.rows(
                    connection, "SELECT id FROM installs WHERE token_hash = \(installTokenHash)", logger: logger
                ).first?["id"].decode(String.self)
            }
            try await connection.query(
                """
                INSERT INTO verifications (id, machine_id, install_id, origin_hash, received_at, size_source,
                    formula_version, gain, gain_lower, predicted_gain, document_json)
                VALUES (\(id), \(verification.machineID), \(install), \(origin), \(StoreTime.milliseconds(receivedAt)),
                    \(verification.sizeSource.kind.rawValue), \(verification.sizeSource.formulaVersion.map(Int64.init)),
                    \(verification.gain), \(verification.gainLower), \(verification.sizeSource.predictedGain), \(document))
                """, logger: logger)
            return .created
        }
    }

    public func verifications(_ query: VerificationQuery) async throws -> [StoredVerification] {
        try await rows(
            """
            SELECT v.document_json, v.received_at FROM verifications v
            JOIN machines m ON m.id = v.machine_id LEFT JOIN installs i ON i.id = v.install_id
            WHERE \(unescaped: Self.visibleMachine) AND NOT coalesce(i.quarantined, FALSE)
                AND (\(query.formulaVersion.map(Int64.init))::bigint IS NULL
                    OR v.formula_version = \(query.formulaVersion.map(Int64.init))::bigint)
                AND (\(query.machineID)::text IS NULL OR v.machine_id = \(query.machineID)::text)
                AND (\(query.sizeSource?.rawValue)::text IS NULL OR v.size_source = \(query.sizeSource?.rawValue)::text)
            ORDER BY v.received_at DESC, v.id COLLATE "C" LIMIT \(Int64(query.clampedLimit))
            """
        ).map { row in
            StoredVerification(
                verification: try Verification.fromCanonicalJSON(try row["document_json"].decode(String.self)),
                receivedAt: StoreTime.date(milliseconds: try row["received_at"].decode(Int64.self)))
        }
    }

    public func formulaVerificationGains(limit: Int) async throws -> [VerifiedGain] {
        try await rows(
            """
            SELECT v.formula_version, v.machine_id, v.gain, v.gain_lower, v.predicted_gain FROM verifications v
            JOIN machines m ON m.id = v.machine_id LEFT JOIN installs i ON i.id = v.install_id
            WHERE v.size_source = 'formula' AND v.formula_version IS NOT NULL AND \(unescaped: Self.visibleMachine)
                AND NOT coalesce(i.quarantined, FALSE)
            ORDER BY v.received_at DESC, v.id COLLATE "C" LIMIT \(Int64(VerificationQuery(limit: limit).clampedLimit))
            """
        ).map { row in
            VerifiedGain(
                formulaVersion: Int(try row["formula_version"].decode(Int64.self)),
                machineID: try row["machine_id"].decode(String.self), gain: try row["gain"].decode(Double.self),
                gainLower: try row["gain_lower"].decode(Double?.self),
                predictedGain: try row["predicted_gain"].decode(Double?.self))
        }
    }
}
