import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The rule that stops one install from steering a default alone: **one install contributes at
/// most one machine's weight per hardware class.**
///
/// A fit normally weighs every machine 1. An install that reports `n` distinct machines in a
/// class contributes `1/n` to each of them, so fabricating a hundred machines buys the weight of
/// one. A machine's weight is the sum of what its installs contribute, capped at 1 — so a machine
/// that two honest installs share (identical hardware has one machine id) still weighs 1, and an
/// honest machine that a spammer also claims weighs no more than 1.
///
/// Submissions without an install (imports, data older than install tokens) count as an install
/// of their own. Quarantined submissions are left out before weighing.
public enum InstallWeightCap {
    /// Weight per machine id, each in (0, 1], from ``ResultStore/submissionProvenance()``.
    ///
    /// - Parameter provenance: every submission that may enter the fit (any order).
    /// - Returns: a weight for every machine with at least one unquarantined submission.
    public static func machineWeights(_ provenance: [SubmissionProvenance]) -> [String: Double] {
        // (install, class) → the machines it reported.
        var machinesByInstall: [String: Set<String>] = [:]
        for row in provenance where !row.quarantined {
            let install = row.installID ?? "submission:\(row.submissionID.uuidString)"
            machinesByInstall["\(install)|\(row.hardwareClass)", default: []].insert(row.machineID)
        }
        var weights: [String: Double] = [:]
        for machines in machinesByInstall.values {
            let share = 1 / Double(machines.count)
            for machine in machines { weights[machine, default: 0] += share }
        }
        return weights.mapValues { min(1, $0) }
    }
}
