import CrowdspeedCore
import Foundation

/// The `PYPY_GC_MIN` confound, measured: how much of the best nursery's gain over PyPy's default
/// remains when `PYPY_GC_MIN` is pinned.
///
/// PyPy starts major collections no earlier than `PYPY_GC_MIN` bytes of heap, 8 × the nursery
/// unless set, so an ordinary sweep's larger nurseries also delay major collections. Study-mode
/// sweeps (`crowdspeed-agent run --pin-gc-min`) hold it fixed across sizes; comparing a machine's
/// pinned curve with its ordinary one for the same interpreter, workload and process count says
/// how much of the gain is the nursery's own.
public struct GCMinStudy: Sendable, Equatable, Codable {
    /// Machines and curves measured with `PYPY_GC_MIN` pinned.
    public var pinnedMachines: Int
    public var pinnedCurves: Int
    /// Pinned curves that have an ordinary counterpart (same machine, interpreter version,
    /// workload and procs), and the machines they come from: the comparison's sample.
    public var pairs: Int
    public var pairedMachines: Int
    /// Median over the pairs of the best measured size's gain over the default (1 / T(best) − 1),
    /// in the ordinary sweep and with `PYPY_GC_MIN` pinned; nil without pairs.
    public var ordinaryGain: Double?
    public var pinnedGain: Double?

    /// The share of the ordinary gain that remains when pinned (pinned over ordinary median
    /// gain); nil without pairs or when the ordinary sweeps gain nothing.
    public var remainingShare: Double? {
        guard let ordinaryGain, let pinnedGain, ordinaryGain > 0 else { return nil }
        return pinnedGain / ordinaryGain
    }

    /// Compares pinned curves with the ordinary ones; curves of weight 0 (or not finite) and
    /// curves without a measured round are left out.
    public static func compare(pinned: [FitCurve], ordinary: [FitCurve]) -> GCMinStudy {
        struct Key: Hashable {
            var machineID: String
            var interpreterVersion: String
            var workload: String
            var procs: Int
            init(_ curve: FitCurve) {
                machineID = curve.machineID
                interpreterVersion = curve.interpreterVersion
                workload = curve.workload
                procs = curve.features.procs
            }
        }
        func usable(_ curve: FitCurve) -> Bool {
            curve.weight.isFinite && curve.weight > 0 && curve.curve.defaultRegret.isFinite
        }
        let usablePinned = pinned.filter(usable)
        var ordinaryGains: [Key: Double] = [:]
        for curve in ordinary where usable(curve) { ordinaryGains[Key(curve)] = curve.curve.defaultRegret }
        var pinnedGains: [Double] = []
        var matchedGains: [Double] = []
        var pairedMachines = Set<String>()
        for curve in usablePinned {
            guard let gain = ordinaryGains[Key(curve)] else { continue }
            pinnedGains.append(curve.curve.defaultRegret)
            matchedGains.append(gain)
            pairedMachines.insert(curve.machineID)
        }
        return GCMinStudy(
            pinnedMachines: Set(usablePinned.map(\.machineID)).count, pinnedCurves: usablePinned.count,
            pairs: pinnedGains.count, pairedMachines: pairedMachines.count, ordinaryGain: Median.of(matchedGains),
            pinnedGain: Median.of(pinnedGains))
    }
}
