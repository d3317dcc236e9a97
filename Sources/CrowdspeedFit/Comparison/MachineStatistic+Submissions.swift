import CrowdspeedCore
import Foundation

extension MachineStatistic {
    /// Derives the per-machine figures that comparisons pair from stored submissions.
    ///
    /// Per machine id, interpreter (implementation, version) and benchmark key, the figure is the
    /// **median CPU time** of all samples (failed samples and non-finite or non-positive times
    /// excluded; noisy samples kept, the median absorbs them), pooled over every submission of
    /// that machine and interpreter. The keys are:
    ///
    /// - gcbench, per procs (absent counts as 1) and script version: `nursery: default`, the
    ///   samples run without `PYPY_GC_NURSERY`; and, with `includeBestNursery`, `nursery: best`,
    ///   the lowest of the per-setting medians over the default and every measured size, only
    ///   when at least three sizes were measured. Taking a minimum favours noise a little, in the
    ///   same way in both versions when both measured a comparable grid, so the ratio stays fair.
    /// - every other benchmark (json.dumps, json.loads), per payload × library (and procs when
    ///   given) and script version; results with a nursery setting are left out.
    ///
    /// - Parameters:
    ///   - submissions: any order.
    ///   - sources: the submission sources admitted (all by default; a server shows synthetic
    ///     and real data apart).
    ///   - includeBestNursery: whether to derive the gcbench `best` figures.
    /// - Returns: figures sorted by machine, interpreter and key.
    public static func statistics(
        from submissions: [Submission], sources: Set<SubmissionSource> = Set(SubmissionSource.allCases),
        includeBestNursery: Bool = true
    ) -> [MachineStatistic] {
        struct Group: Hashable {
            var machineID: String
            var interpreter: InterpreterKey
            var key: BenchmarkKey
        }
        struct Setting: Hashable {
            var machineID: String
            var interpreter: InterpreterKey
            var benchmarkVersion: String
            var procs: Int
            var nurseryBytes: Int64?
        }
        var times: [Group: [Double]] = [:]
        var settingTimes: [Setting: [Double]] = [:]
        var classes: [String: HardwareClass] = [:]
        for submission in submissions where sources.contains(submission.source) {
            let machineID = submission.machine.machineID
            classes[machineID] = HardwareClass(arch: submission.machine.arch, cpuVendor: submission.machine.cpuVendor)
            let interpreter = InterpreterKey(
                implementation: submission.interpreter.implementation, version: submission.interpreter.version)
            for result in submission.results {
                let cpu = result.samples.filter { $0.failed != true && $0.cpuMs.isFinite && $0.cpuMs > 0 }.map(\.cpuMs)
                guard !cpu.isEmpty else { continue }
                if result.benchmark == BenchmarkName.gcbench {
                    let procs = result.params.procs ?? 1
                    if result.params.nurseryBytes == nil {
                        let key = BenchmarkKey(
                            benchmark: result.benchmark, benchmarkVersion: result.benchmarkVersion,
                            params: ComparisonParams(procs: procs, nursery: .default))
                        times[Group(machineID: machineID, interpreter: interpreter, key: key), default: []] += cpu
                    }
                    if includeBestNursery {
                        let setting = Setting(
                            machineID: machineID, interpreter: interpreter, benchmarkVersion: result.benchmarkVersion,
                            procs: procs, nurseryBytes: result.params.nurseryBytes)
                        settingTimes[setting, default: []] += cpu
                    }
                } else if result.params.nurseryBytes == nil {
                    let key = BenchmarkKey(
                        benchmark: result.benchmark, benchmarkVersion: result.benchmarkVersion,
                        params: ComparisonParams(
                            procs: result.params.procs, payload: result.params.payload, library: result.params.library))
                    times[Group(machineID: machineID, interpreter: interpreter, key: key), default: []] += cpu
                }
            }
        }
        var statistics: [MachineStatistic] = []
        for (group, values) in times {
            guard let hardwareClass = classes[group.machineID] else { continue }
            statistics.append(
                MachineStatistic(
                    machineID: group.machineID, hardwareClass: hardwareClass, interpreter: group.interpreter,
                    key: group.key, cpuMs: (Median.of(values) ?? .nan), samples: values.count))
        }
        if includeBestNursery {
            // Per (machine, interpreter, script version, procs): the lowest per-setting median.
            struct CurveSlot: Hashable {
                var machineID: String
                var interpreter: InterpreterKey
                var benchmarkVersion: String
                var procs: Int
            }
            var best: [CurveSlot: (sizes: Int, cpuMs: Double, samples: Int)] = [:]
            for (setting, values) in settingTimes {
                let curve = CurveSlot(
                    machineID: setting.machineID, interpreter: setting.interpreter,
                    benchmarkVersion: setting.benchmarkVersion, procs: setting.procs)
                let median = (Median.of(values) ?? .nan)
                var entry = best[curve] ?? (0, .infinity, 0)
                if setting.nurseryBytes != nil { entry.sizes += 1 }
                if median < entry.cpuMs { (entry.cpuMs, entry.samples) = (median, values.count) }
                best[curve] = entry
            }
            for (curve, entry) in best where entry.sizes >= 3 && entry.cpuMs.isFinite {
                guard let hardwareClass = classes[curve.machineID] else { continue }
                statistics.append(
                    MachineStatistic(
                        machineID: curve.machineID, hardwareClass: hardwareClass, interpreter: curve.interpreter,
                        key: BenchmarkKey(
                            benchmark: BenchmarkName.gcbench, benchmarkVersion: curve.benchmarkVersion,
                            params: ComparisonParams(procs: curve.procs, nursery: .best)),
                        cpuMs: entry.cpuMs, samples: entry.samples))
            }
        }
        return statistics.sorted {
            ($0.machineID, $0.interpreter.implementation, $0.interpreter.version, $0.key) < (
                $1.machineID, $1.interpreter.implementation, $1.interpreter.version, $1.key
            )
        }
    }
}
