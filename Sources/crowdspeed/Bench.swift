import ArgumentParser
import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedServer
import Foundation

/// `crowdspeed bench refit --machines 1000,10000,100000`: times the refit on simulated
/// populations held in memory (no database), so the figure is the fit's own cost. Run it on a
/// release build: `swift run -c release crowdspeed bench refit`.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (release builds only give meaningful figures).",
        subcommands: [IngestBench.self, QueryBench.self, RefitBench.self, FirstFormulaBench.self, AllBench.self])
}

/// `crowdspeed bench refit`.
struct RefitBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refit", abstract: "Time the formula fit on simulated populations of several sizes.")

    @Option(help: "Comma-separated population sizes.")
    var machines: String = "1000,10000,100000"

    @Option(help: "Timed runs per size (the median is reported).")
    var runs: Int = 3

    @Option(help: "Population seed.")
    var seed: UInt64 = 42

    func validate() throws {
        guard let sizes = parsedSizes, !sizes.isEmpty, sizes.allSatisfy({ $0 >= 1 && $0 <= 1_000_000 }) else {
            throw ValidationError("--machines must be a comma-separated list of sizes within 1…1000000")
        }
        guard runs >= 1, runs <= 50 else { throw ValidationError("--runs must be within 1…50") }
    }

    private var parsedSizes: [Int]? {
        let parts = machines.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? nil : parts.compactMap { $0 }
    }

    func run() async throws {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: debug build; time a release build (swift build -c release)\n".utf8))
        #endif
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) CPUs, \(Self.cpuModel())")
        print("machines   curves   simulate_s   fit_median_ms   fit_min_ms   fit_max_ms   formula")
        let simulator = PopulationSimulator(seed: seed)
        for size in parsedSizes ?? [] {
            let simulateStart = ContinuousClock.now
            let input = await Self.population(simulator, size: size)
            let simulateSeconds = Self.seconds(ContinuousClock.now - simulateStart)
            var times: [Double] = []
            var name = ""
            for _ in 0..<runs {
                let start = ContinuousClock.now
                let report = FormulaSelection.fit(input)
                _ = PredictionInterval.intervals(for: report, on: input)
                times.append(Self.seconds(ContinuousClock.now - start) * 1000)
                name = report.global.name
            }
            times.sort()
            print(
                String(
                    format: "%8d %8d %12.1f %15.1f %12.1f %12.1f   %@", size, input.curves.count, simulateSeconds,
                    times[times.count / 2], times[0], times[times.count - 1], name))
        }
    }

    /// The fit input of `size` simulated machines (one submission each, so per-machine combining
    /// is a no-op), simulated in parallel chunks; each submission is dropped as soon as its
    /// curves are taken, so 100k machines fit in memory.
    static func population(_ simulator: PopulationSimulator, size: Int) async -> FitInput {
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (size + workers - 1) / workers
        let curves = await withTaskGroup(of: [FitCurve].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var out: [FitCurve] = []
                    for index in stride(from: worker * chunk, to: min(size, (worker + 1) * chunk), by: 1) {
                        out += FitCurve.curves(from: simulator.machine(at: index).submission)
                    }
                    return out
                }
            }
            var all: [FitCurve] = []
            for await part in group { all += part }
            return all
        }
        // Task completion order varies; a fixed order keeps runs comparable.
        return FitInput(curves: curves.sorted { ($0.machineID, $0.features.procs) < ($1.machineID, $1.features.procs) })
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The first "model name" of /proc/cpuinfo, or "unknown CPU".
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown CPU" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
                ?? "unknown CPU"
        }
        return "unknown CPU"
    }
}
