import CrowdspeedCore
import Foundation

/// One curve with everything the fit needs to know about where it was measured. A server can
/// build it from stored aggregates (per-round paired ratios per setting) without raw samples.
public struct FitCurve: Sendable, Equatable, Codable {
    /// The server's machine id (``CrowdspeedCore/MachineInfo/machineID``): counts machines.
    public var machineID: String
    /// The CPU model string: held-out folds are whole CPU models, so the regret reported is the
    /// regret on hardware the fit has not seen.
    public var cpuModel: String
    public var features: MachineFeatures
    /// The PyPy version the curve was measured with (selects PyPy's rule for the baseline).
    public var interpreterVersion: String
    /// Workload and its version, e.g. `gcbench@1`; informational.
    public var workload: String
    public var curve: Curve
    /// How much this curve counts in every average the fit takes (regret and gain means and
    /// quantiles, the least squares, the grid searches), relative to a curve of weight 1.
    ///
    /// 1 by default. A server lowers it to cap what one install can contribute (the store's
    /// `InstallWeightCap`): fifty fabricated machines from one install then weigh as one. Weights
    /// must be finite and ≥ 0; a curve whose weight is 0, negative or NaN is ignored (counted
    /// in ``FitEvidence/skippedCurves``) rather than trusted.
    public var weight: Double
    /// The network block the machine's submissions came from (e.g. a keyed hash of the /24 or
    /// /48 of the submitting address), or nil when unknown.
    ///
    /// Fresh install tokens cost an attacker nothing, network blocks do: with
    /// ``RobustFitOptions/originCap`` one origin counts for at most that many machines per
    /// hardware class, however many install tokens it used. A nil origin is treated as the
    /// machine's own block, so unknown origins are never pooled together and never capped
    /// (data from before origins were recorded fits as it always did).
    public var origin: String?

    public init(
        machineID: String, cpuModel: String, features: MachineFeatures, interpreterVersion: String, workload: String,
        curve: Curve,
        weight: Double = 1, origin: String? = nil
    ) {
        self.machineID = machineID
        self.cpuModel = cpuModel
        self.features = features
        self.interpreterVersion = interpreterVersion
        self.workload = workload
        self.curve = curve
        self.weight = weight
        self.origin = origin
    }

    enum CodingKeys: String, CodingKey {
        case machineID, cpuModel, features, interpreterVersion, workload, curve, weight, origin
    }

    /// Decodes a curve; `weight` may be absent (inputs saved before weights existed) and is then
    /// 1, and `origin` may be absent (saved before origins existed) and is then nil.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        machineID = try container.decode(String.self, forKey: .machineID)
        cpuModel = try container.decode(String.self, forKey: .cpuModel)
        features = try container.decode(MachineFeatures.self, forKey: .features)
        interpreterVersion = try container.decode(String.self, forKey: .interpreterVersion)
        workload = try container.decode(String.self, forKey: .workload)
        curve = try container.decode(Curve.self, forKey: .curve)
        weight = try container.decodeIfPresent(Double.self, forKey: .weight) ?? 1
        origin = try container.decodeIfPresent(String.self, forKey: .origin)
    }
}

/// Everything one refit reads: a flat list of curves.
public struct FitInput: Sendable, Equatable, Codable {
    public var curves: [FitCurve]

    public init(curves: [FitCurve]) {
        self.curves = curves
    }

    /// Extracts the curves of `benchmark` from submissions (see ``FitCurve/curves(from:benchmark:aggregation:)``).
    ///
    /// - Parameters:
    ///   - submissions: any order.
    ///   - sources: the submission sources admitted. Formulas served for real machines must
    ///     pass `[.agent, .import]`: synthetic data never enters them. All sources by default,
    ///     for tests and demos.
    ///   - benchmark: the workload, `gcbench` by default.
    ///   - aggregation: how the k samples of a point in one round are combined.
    public init(
        submissions: [Submission], sources: Set<SubmissionSource> = Set(SubmissionSource.allCases),
        benchmark: String = BenchmarkName.gcbench, aggregation: ReplicateAggregation = .mean
    ) {
        curves = submissions.filter { sources.contains($0.source) }
            .flatMap { FitCurve.curves(from: $0, benchmark: benchmark, aggregation: aggregation) }
    }
}

extension FitCurve {
    /// The curves in one submission: one per (benchmark version, procs) of `benchmark`.
    ///
    /// Results without `procs` count as procs = 1. The default setting's size is placed with
    /// ``PyPyDefaultRule`` when the interpreter is PyPy. A machine without an L2 in its cache list
    /// yields no curves (see ``MachineFeatures/init(machine:procs:)``).
    ///
    /// - Parameters:
    ///   - submission: any source; callers decide whether synthetic data may enter a fit.
    ///   - benchmark: the workload name, `gcbench` by default.
    ///   - aggregation: how the k samples of a point in one round are combined.
    /// - Returns: curves in ascending (benchmark version, procs) order; curves without any
    ///   non-default point are kept (the fit skips them and counts them).
    public static func curves(
        from submission: Submission, benchmark: String = BenchmarkName.gcbench,
        aggregation: ReplicateAggregation = .mean
    ) -> [FitCurve] {
        let relevant = submission.results.filter { $0.benchmark == benchmark }
        let keys = Set(relevant.map { KeyPair(version: $0.benchmarkVersion, procs: $0.params.procs ?? 1) })
        let isPyPy = submission.interpreter.implementation.lowercased() == "pypy"
        let machineID = submission.machine.machineID
        return keys.sorted().compactMap { key in
            guard let features = MachineFeatures(machine: submission.machine, procs: key.procs) else { return nil }
            var samples: [CurveSample] = []
            for result in relevant
            where result.benchmarkVersion == key.version && (result.params.procs ?? 1) == key.procs {
                for sample in result.samples {
                    samples.append(
                        CurveSample(
                            round: sample.round, nurseryBytes: result.params.nurseryBytes, cpuMs: sample.cpuMs,
                            failed: sample.failed ?? false))
                }
            }
            let defaultBytes =
                isPyPy ? PyPyDefaultRule.nurseryBytes(version: submission.interpreter.version, features: features) : nil
            return FitCurve(
                machineID: machineID, cpuModel: submission.machine.cpuModel, features: features,
                interpreterVersion: submission.interpreter.version, workload: "\(benchmark)@\(key.version)",
                curve: Curve(samples: samples, aggregation: aggregation, defaultNurseryBytes: defaultBytes))
        }
    }

    private struct KeyPair: Hashable, Comparable {
        var version: String
        var procs: Int
        static func < (lhs: KeyPair, rhs: KeyPair) -> Bool { (lhs.version, lhs.procs) < (rhs.version, rhs.procs) }
    }
}
