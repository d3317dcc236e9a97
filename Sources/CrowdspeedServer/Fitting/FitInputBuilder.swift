import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// Builds a refit's input from stored curves alone (no raw samples): one ``FitCurve`` per
/// (machine, PyPy version, gcbench version, procs), the machine's submissions combined.
public enum FitInputBuilder {
    /// The fit input of a snapshot, weighted by its install cap.
    public static func input(from snapshot: FitSnapshot) -> FitInput {
        input(from: snapshot.curves, machineWeights: snapshot.machineWeights)
    }

    /// The fit input of a list of stored curves.
    ///
    /// Curves of machines that report no L2 are left out (every cache formula needs one). The
    /// hardware features are the most recent submission's.
    ///
    /// - Parameters:
    ///   - curves: the snapshot's curves.
    ///   - machineWeights: each machine's ``FitCurve/weight`` (the snapshot's
    ///     ``InstallWeightCap`` weights, so one install weighs at most one machine per class);
    ///     machines missing here weigh 1.
    public static func input(from curves: [StoredCurve], machineWeights: [String: Double] = [:]) -> FitInput {
        var groups: [GroupKey: [StoredCurve]] = [:]
        var order: [GroupKey] = []
        for curve in curves {
            let key = GroupKey(
                machineID: curve.machineID, version: curve.interpreterVersion, benchmarkVersion: curve.aggregate.benchmarkVersion,
                procs: curve.aggregate.procs)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(curve)
        }
        var fitCurves: [FitCurve] = []
        fitCurves.reserveCapacity(order.count)
        for key in order {
            guard let members = groups[key], let latest = members.max(by: { $0.receivedAt < $1.receivedAt }),
                  let features = features(of: latest) else { continue }
            fitCurves.append(FitCurve(
                machineID: key.machineID, cpuModel: latest.cpuModel, features: features, interpreterVersion: key.version,
                workload: "\(latest.aggregate.benchmark)@\(key.benchmarkVersion)",
                curve: CurveCombiner.combine(members.sorted { $0.receivedAt < $1.receivedAt }.map(\.aggregate)),
                weight: machineWeights[key.machineID] ?? 1))
        }
        return FitInput(curves: fitCurves)
    }

    /// The formula inputs of a stored curve's machine, nil without an L2.
    public static func features(of curve: StoredCurve) -> MachineFeatures? {
        guard let l2 = curve.l2Bytes else { return nil }
        return MachineFeatures(
            l2Bytes: l2, l3Bytes: curve.l3Bytes, physicalCores: curve.physicalCores, procs: curve.aggregate.procs,
            arch: curve.arch, cpuVendor: curve.cpuVendor, cpuinfoCacheBytes: curve.cpuinfoCacheBytes)
    }

    private struct GroupKey: Hashable {
        var machineID: String
        var version: String
        var benchmarkVersion: String
        var procs: Int
    }
}
