import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("Population simulator")
struct SimulatorTests {
    @Test("machine i depends only on (seed, i)")
    func deterministic() {
        let a = PopulationSimulator(seed: 11)
        let b = PopulationSimulator(seed: 11)
        #expect(a.machine(at: 7) == b.machines(count: 8)[7])
        #expect(a.machine(at: 7) != PopulationSimulator(seed: 12).machine(at: 7))
        var x = SplitMix64(seed: 1)
        var y = SplitMix64(seed: 1)
        #expect((0..<5).map { _ in x.next() } == (0..<5).map { _ in y.next() })
    }

    @Test("failed samples stay valid: a run that dies part-way never times below the format's minimum")
    func failedSamplesValid() {
        var options = SimulationOptions()
        options.failureRate = 0.5
        let simulator = PopulationSimulator(seed: 5, options: options)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        for machine in simulator.machines(count: 30) {
            #expect(machine.submission.validationIssues(now: now).isEmpty)
        }
    }

    @Test("submissions are valid synthetic wire submissions from a realistic hardware mix")
    func realistic() {
        let machines = Population.machines
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        for machine in machines.prefix(40) {
            #expect(machine.submission.validationIssues(now: now).isEmpty)
        }
        let infos = machines.map(\.submission.machine)
        #expect(machines.allSatisfy { $0.submission.source == .synthetic })
        #expect(infos.allSatisfy { (256 * kib...2 * mib).contains($0.cacheBytes(level: 2) ?? 0) })
        #expect(infos.allSatisfy { (2...64).contains($0.physicalCores) })
        #expect(Set(infos.map(\.arch)) == ["x86_64", "aarch64"])
        #expect(Set(infos.map(\.cpuVendor)).isSuperset(of: ["GenuineIntel", "AuthenticAMD", "ARM"]))
        #expect(infos.contains { $0.cacheBytes(level: 3) == nil })
        #expect(infos.contains { ($0.cacheBytes(level: 3) ?? 0) >= 100 * mib })
        #expect(Set(infos.map(\.cpuModel)).count >= 15)
        #expect(machines.allSatisfy { (0.03...0.07).contains($0.noiseSigma) })
        #expect(machines.allSatisfy { $0.submission.run?.rounds == 5 && $0.submission.run?.pypyGCMin == nil })
    }

    @Test(
        "true curves are flat within 2% over a factor 3.5–6.5, cost +28…+67% at 8× below the optimum, and are steeper toward small nurseries"
    )
    func shape() throws {
        for machine in Population.machines.prefix(50) {
            let procs = machine.truth.procs[0]
            let optimum = try #require(machine.trueOptimum(procs: procs))
            #expect((Double(512 * kib)...Double(32 * mib)).contains(optimum))
            // Width of the 2% set, by a fine scan in log2.
            let xs = stride(from: -4.0, through: 4.0, by: 0.01)
            let inside = xs.filter {
                (machine.truth.relativeToOptimum(nurseryBytes: optimum * exp2($0), procs: procs) ?? 9) <= 1.02
            }
            let width = try #require(inside.last) - (try #require(inside.first))
            // Left of the optimum the 2% edge is at −h; right of it at 2h·√(1 + 0.15h): width ≈ 3.1h.
            #expect(width >= 1.8 && width <= 2.95)
            let eightBelow = try #require(machine.truth.relativeToOptimum(nurseryBytes: optimum / 8, procs: procs))
            #expect(eightBelow >= 1.27 && eightBelow <= 1.68)
            let left = try #require(machine.truth.relativeToOptimum(nurseryBytes: optimum / 4, procs: procs))
            let right = try #require(machine.truth.relativeToOptimum(nurseryBytes: optimum * 4, procs: procs))
            #expect(left > right)
        }
    }

    @Test("more processes sharing the L3 lower the true optimum")
    func procsEffect() throws {
        let machine = try #require(
            Population.machines.first { $0.truth.procs.count == 3 && $0.submission.machine.cacheBytes(level: 3) != nil }
        )
        let optima = machine.truth.procs.compactMap { machine.trueOptimum(procs: $0) }
        #expect(optima == optima.sorted(by: >))
    }
}
