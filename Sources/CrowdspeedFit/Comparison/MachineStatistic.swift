import CrowdspeedCore
import Foundation

/// One machine's CPU-time figure for one benchmark key with one interpreter: the unit the
/// comparisons pair. A server can keep it as an aggregate maintained at ingest (see
/// ``statistics(from:sources:includeBestNursery:)`` for how it is derived from submissions).
public struct MachineStatistic: Sendable, Hashable, Codable {
    /// The server's machine id (``CrowdspeedCore/MachineInfo/machineID``): what is paired.
    public var machineID: String
    public var hardwareClass: HardwareClass
    public var interpreter: InterpreterKey
    public var key: BenchmarkKey
    /// The statistic itself, in CPU milliseconds (see the derivation for which one).
    public var cpuMs: Double
    /// Samples it rests on.
    public var samples: Int

    public init(
        machineID: String, hardwareClass: HardwareClass, interpreter: InterpreterKey, key: BenchmarkKey, cpuMs: Double,
        samples: Int
    ) {
        self.machineID = machineID
        self.hardwareClass = hardwareClass
        self.interpreter = interpreter
        self.key = key
        self.cpuMs = cpuMs
        self.samples = samples
    }
}

/// One machine's figures for one key under two interpreters: one term of a paired comparison.
public struct PairedObservation: Sendable, Hashable, Codable {
    public var machineID: String
    public var hardwareClass: HardwareClass
    public var key: BenchmarkKey
    /// The baseline (`from`) and the candidate (`to`) interpreter this machine was paired on.
    public var from: InterpreterKey
    public var to: InterpreterKey
    public var fromCPUMs: Double
    public var toCPUMs: Double

    public init(
        machineID: String, hardwareClass: HardwareClass, key: BenchmarkKey, from: InterpreterKey, to: InterpreterKey,
        fromCPUMs: Double, toCPUMs: Double
    ) {
        self.machineID = machineID
        self.hardwareClass = hardwareClass
        self.key = key
        self.from = from
        self.to = to
        self.fromCPUMs = fromCPUMs
        self.toCPUMs = toCPUMs
    }

    /// to / from: above 1 when `to` takes more CPU time on this machine. NaN unless both
    /// figures are finite and positive.
    public var ratio: Double {
        guard fromCPUMs.isFinite, toCPUMs.isFinite, fromCPUMs > 0, toCPUMs > 0 else { return .nan }
        return toCPUMs / fromCPUMs
    }

    /// Pairs the statistics of each machine and key: one observation per (machine, key) that
    /// has a figure under both selections and where they pick two different interpreters.
    ///
    /// Machines that measured only one side do not count: comparing the machines that measured
    /// `from` with a different set that measured `to` would report a change of who submitted as
    /// a change of speed.
    ///
    /// - Parameters:
    ///   - statistics: any order; when one (machine, interpreter, key) appears more than once,
    ///     the median of its figures is used.
    ///   - from: the baseline side.
    ///   - to: the candidate side.
    ///   - benchmarks: when set, only these benchmarks are paired.
    /// - Returns: observations sorted by key, then machine id, so the same data gives the same
    ///   order whatever order it came in.
    public static func pair(
        _ statistics: [MachineStatistic], from: InterpreterSelection, to: InterpreterSelection,
        benchmarks: Set<String>? = nil
    ) -> [PairedObservation] {
        struct Slot: Hashable {
            var machineID: String
            var key: BenchmarkKey
        }
        var figures: [Slot: [InterpreterKey: [Double]]] = [:]
        var classes: [String: HardwareClass] = [:]
        for statistic in statistics where benchmarks.map({ $0.contains(statistic.key.benchmark) }) ?? true {
            figures[Slot(machineID: statistic.machineID, key: statistic.key), default: [:]][
                statistic.interpreter, default: []
            ].append(statistic.cpuMs)
            classes[statistic.machineID] = classes[statistic.machineID] ?? statistic.hardwareClass
        }
        var observations: [PairedObservation] = []
        for (slot, byInterpreter) in figures {
            let measured = Array(byInterpreter.keys)
            guard let fromKey = from.pick(from: measured), let toKey = to.pick(from: measured), fromKey != toKey,
                let hardwareClass = classes[slot.machineID]
            else { continue }
            let fromMs = (Median.of(byInterpreter[fromKey] ?? []) ?? .nan)
            let toMs = (Median.of(byInterpreter[toKey] ?? []) ?? .nan)
            guard fromMs.isFinite, toMs.isFinite, fromMs > 0, toMs > 0 else { continue }
            observations.append(
                PairedObservation(
                    machineID: slot.machineID, hardwareClass: hardwareClass, key: slot.key, from: fromKey, to: toKey,
                    fromCPUMs: fromMs, toCPUMs: toMs))
        }
        return observations.sorted { ($0.key, $0.machineID) < ($1.key, $1.machineID) }
    }
}
