import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Builds a refit's input from stored curves alone (no raw samples): one ``FitCurve`` per
/// (machine, PyPy version, gcbench version, procs), the machine's submissions combined.
public enum FitInputBuilder {
    /// The fit input of a snapshot, weighted by its install cap.
    ///
    /// Curves of machines that report no L2 are left out (every cache formula needs one). The
    /// hardware features are the most recent submission's. The curves come in order of each
    /// group's first curve in the snapshot's (machine, receipt, row) order; a group's
    /// submissions are combined oldest first. Each machine's weight is the snapshot's
    /// ``InstallWeightCap`` weight (so one install weighs at most one machine per class), 1 for
    /// a machine missing there. Each curve's ``FitCurve/origin`` is the network origin of its
    /// newest submission (nil when that was stored without one), so the fit's origin cap sees the
    /// block a machine submits from now.
    ///
    /// The snapshot is consumed: its curves are released machine by machine as their
    /// ``FitCurve``s are built, so the two never coexist in full (pass it with `consume`).
    ///
    /// - Parameter snapshot: the store's snapshot, curves in its documented order.
    public static func input(from snapshot: consuming FitSnapshot) -> FitInput {
        var curves: [StoredCurve] = []
        swap(&curves, &snapshot.curves)
        let weights = InstallWeightCap.machineWeights(snapshot.provenance)
        var origins: [UUID: String] = [:]
        for row in snapshot.provenance {
            if let origin = row.origin { origins[row.submissionID] = origin }
        }
        // Built from the last machine back, so that each machine's rows can be dropped as soon
        // as its curves exist; reversed at the end.
        var reversed: [FitCurve] = []
        reversed.reserveCapacity(curves.count)
        var groups: [Group] = []
        var built: [FitCurve] = []
        while let last = curves.last {
            var start = curves.count - 1
            while start > 0, curves[start - 1].machineID == last.machineID { start -= 1 }
            // The machine's groups in order of first appearance (a handful: versions × procs).
            groups.removeAll(keepingCapacity: true)
            for index in start..<curves.count {
                let curve = curves[index]
                if let existing = groups.firstIndex(where: { $0.matches(curve) }) {
                    groups[existing].members.append(index)
                } else {
                    groups.append(Group(curve, index))
                }
            }
            built.removeAll(keepingCapacity: true)
            let weight = weights[last.machineID] ?? 1
            for group in groups {
                // The first of the newest (ties keep the earlier row, as `max(by:)` does).
                var latest = curves[group.members[0]]
                for index in group.members.dropFirst() where curves[index].receivedAt > latest.receivedAt {
                    latest = curves[index]
                }
                guard let features = features(of: latest) else { continue }
                built.append(
                    FitCurve(
                        machineID: latest.machineID, cpuModel: latest.cpuModel, features: features,
                        interpreterVersion: latest.interpreterVersion,
                        workload: "\(latest.aggregate.benchmark)@\(latest.aggregate.benchmarkVersion)",
                        curve: CurveCombiner.combine(group.members.map { curves[$0].aggregate.curve }), weight: weight,
                        origin: origins[latest.submissionID]))
            }
            reversed.append(contentsOf: built.reversed())
            curves.removeLast(curves.count - start)
        }
        reversed.reverse()
        return FitInput(curves: reversed)
    }

    /// The formula inputs of a stored curve's machine, nil without an L2.
    static func features(of curve: StoredCurve) -> MachineFeatures? {
        guard let l2 = curve.l2Bytes else { return nil }
        return MachineFeatures(
            l2Bytes: l2, l3Bytes: curve.l3Bytes, physicalCores: curve.physicalCores, procs: curve.aggregate.procs,
            arch: curve.arch, cpuVendor: curve.cpuVendor, cpuinfoCacheBytes: curve.cpuinfoCacheBytes)
    }

    /// The curves of one machine that become one ``FitCurve``: same interpreter version,
    /// workload version and procs (the snapshot holds one workload).
    private struct Group {
        var interpreterVersion: String
        var benchmarkVersion: String
        var procs: Int
        /// Indices of the members, in snapshot order (oldest first).
        var members: [Int]

        init(_ curve: StoredCurve, _ index: Int) {
            interpreterVersion = curve.interpreterVersion
            benchmarkVersion = curve.aggregate.benchmarkVersion
            procs = curve.aggregate.procs
            members = [index]
        }

        func matches(_ curve: StoredCurve) -> Bool {
            procs == curve.aggregate.procs && interpreterVersion == curve.interpreterVersion
                && benchmarkVersion == curve.aggregate.benchmarkVersion
        }
    }
}
