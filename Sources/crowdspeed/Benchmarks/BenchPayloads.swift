import ArgumentParser
import CrowdspeedCore
import CrowdspeedFit
import Foundation

/// The submissions the benchmarks send and load: simulated machines (CrowdspeedFit's
/// documented population, `source = synthetic`), each a full agent sweep of PyPy's gcbench.
///
/// The simulator runs k samples per round at procs = k; the number of rounds is chosen per
/// machine so that every sweep holds about ``targetSamples`` samples, the size of a real default
/// sweep (the test suite's `SweepFixture` has 420). Every submission has its own id and, almost
/// always, its own machine.
enum BenchPayloads {
    /// Samples per full sweep.
    static let targetSamples = 400

    /// Machine `index` of the population as a full sweep of about ``targetSamples`` samples.
    static func fullSweep(_ simulator: PopulationSimulator, index: Int) -> Submission {
        let probe = simulator.machine(at: index).submission
        let samplesPerRound = max(
            1, probe.results.reduce(0) { $0 + $1.samples.count } / max(1, simulator.options.rounds))
        var options = simulator.options
        options.rounds = min(40, max(2, Int((Double(targetSamples) / Double(samplesPerRound)).rounded())))
        return distinctMachine(
            PopulationSimulator(seed: simulator.seed, options: options).machine(at: index).submission, index: index)
    }

    /// `submission` with a memory size (whole GiB, unique per index below 65 000) that gives its
    /// machine its own id. The simulator draws hardware from a small catalog, so about two
    /// thirds of its machines share an id with another; a benchmark of "100k machines" must
    /// store 100k machine rows. Memory is part of the id but not of the fit's features, so the
    /// fit sees the same population.
    static func distinctMachine(_ submission: Submission, index: Int) -> Submission {
        var submission = submission
        submission.machine.memoryBytes = Int64(4 + index % 65_000) << 30
        return submission
    }

    /// Machines whose single round already holds more than this many samples (many cores: k
    /// samples per round at procs = k) are skipped: two rounds of them would be far above a
    /// full sweep's size.
    static let maximumSamplesPerRound = targetSamples / 2

    /// The wire bytes of `count` full sweeps from machines `first…` (skipping the ones too large
    /// for a realistic sweep), encoded on every CPU.
    ///
    /// - Parameter source: what the sweeps say they are: `synthetic` (the default) is stored but
    ///   never fitted by a production server; `agent` makes them a real crowd's.
    static func encoded(seed: UInt64, first: Int, count: Int, source: SubmissionSource = .synthetic) async -> [Data] {
        let candidates = await encodedCandidates(
            seed: seed, first: first, count: count * 3 / 2 + 16, source: source)
        return Array(candidates.compactMap { $0 }.prefix(count))
    }

    /// Machines `first ..< first + count` as wire bytes, nil for the ones skipped.
    private static func encodedCandidates(seed: UInt64, first: Int, count: Int, source: SubmissionSource) async
        -> [Data?]
    {
        let simulator = PopulationSimulator(seed: seed)
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (count + workers - 1) / workers
        let parts = await withTaskGroup(of: (Int, [Data?]).self) { group in
            for worker in 0..<workers {
                group.addTask {
                    let encoder = WireCoding.makeEncoder()
                    var out: [Data?] = []
                    for index in stride(
                        from: first + worker * chunk, to: first + min(count, (worker + 1) * chunk), by: 1)
                    {
                        var sweep = fullSweep(simulator, index: index)
                        sweep.source = source
                        let perRound =
                            sweep.results.reduce(0) { $0 + $1.samples.count } / max(1, sweep.run?.rounds ?? 1)
                        // The simulator's data never fails to encode: every number is finite.
                        // The simulator occasionally draws a value the format refuses; such a
                        // sweep is skipped like an oversized one (every request must be valid).
                        let valid = (try? sweep.validate(limits: .standard, now: Date())) != nil
                        out.append(perRound > maximumSamplesPerRound || !valid ? nil : try? encoder.encode(sweep))
                    }
                    return (worker, out)
                }
            }
            var parts: [(Int, [Data?])] = []
            for await part in group { parts.append(part) }
            return parts
        }
        return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
    }

    /// `count` full sweeps of one machine (the population's first that makes a realistic sweep),
    /// each with its own id: a volunteer or a CI box submitting again and again.
    static func sameMachine(seed: UInt64, count: Int) throws -> [Data] {
        let simulator = PopulationSimulator(seed: seed)
        guard
            let sweep = (0..<64).lazy.map({ fullSweep(simulator, index: $0) }).first(where: { sweep in
                sweep.results.reduce(0) { $0 + $1.samples.count } / max(1, sweep.run?.rounds ?? 1)
                    <= maximumSamplesPerRound && (try? sweep.validate(limits: .standard, now: Date())) != nil
            })
        else { throw ValidationError("no realistic sweep among the population's first machines") }
        let encoder = WireCoding.makeEncoder()
        return try (0..<count).map { _ in
            var copy = sweep
            copy.id = UUID()
            return try encoder.encode(copy)
        }
    }

    /// A `POST /api/v1/submissions` request carrying `body`.
    static func postRequest(_ body: Data) -> [UInt8] {
        HTTPConnection.request(
            method: "POST", path: "/api/v1/submissions", headers: [("Content-Type", "application/json")],
            body: Array(body))
    }
}
