import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Do no harm, through the API: on a population whose every machine runs best at exactly PyPy's
/// own default size, nothing can be gained, and the recommendation says to keep the default.
@Suite("Keep-default recommendations")
struct KeepDefaultAPITests {
    /// PyPy 7.3.11 on these AMD parts reads the 512K L2 as its cache size and picks 1M.
    static let defaultBytes: Int64 = 1 << 20

    /// Twelve fixture machines (four CPU models) whose gcbench CPU time is lowest at PyPy's
    /// default size and rises on both sides of it; the default setting itself measures the same.
    static func submissions() -> [Submission] {
        (0..<12).map { index in
            var machine = SweepFixture.machine(
                model: "AMD EPYC keep-\(index % 4)", memoryBytes: 16_000_000_000 + Int64(index) * 1_000_000_000)
            machine.caches = machine.caches.map { cache in
                var cache = cache
                if cache.level == 3 { cache.sizeBytes = Int64(16 + 8 * index) << 20 }
                return cache
            }
            var submission = SweepFixture.make(id: UUID(), machine: machine, rounds: 6, seed: UInt64(index + 1))
            for r in submission.results.indices where submission.results[r].benchmark == BenchmarkName.gcbench {
                let nursery = submission.results[r].params.nurseryBytes ?? defaultBytes
                let distance = log2(Double(nursery)) - log2(Double(defaultBytes))
                for s in submission.results[r].samples.indices {
                    let round = submission.results[r].samples[s].round
                    // The round's common drift cancels in the paired ratios.
                    let cpu = 800 * (1 + 0.05 * distance * distance) * (1 + 0.01 * Double(round % 3))
                    submission.results[r].samples[s].cpuMs = (cpu * 1000).rounded() / 1000
                    submission.results[r].samples[s].wallMs = ((cpu * 1.05) * 1000).rounded() / 1000
                }
            }
            return submission
        }
    }

    static let query =
        "/api/v1/recommendations/nursery?l2_bytes=524288&l3_bytes=33554432&physical_cores=1&procs=1"
        + "&arch=x86_64&cpu_vendor=AuthenticAMD&cpuinfo_cache_bytes=524288&pypy_version=7.3.11"

    @Test("keep_default with the advice sentence; format=env answers a comment that is valid shell and sets nothing")
    func keepDefault() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            let ingestor = Pipeline(stores: StoreCapabilities(store))
            for (offset, submission) in Self.submissions().enumerated() {
                _ = try await ingestor.ingest(
                    submission, receivedAt: SweepFixture.now.addingTimeInterval(Double(offset)))
            }
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                Issue.record("no formula fitted")
                return
            }
            #expect(formula.report.evidence.machines == 12)
            #expect(
                formula.report.global.name == FormulaFamily.pypyDefault.rawValue,
                "chosen: \(formula.report.global.name)")

            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: Self.query, method: .get)
                #expect(response.status == .ok)
                let body = try #require(
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(body["keep_default"] as? Bool == true)
                #expect(body["pypy_gc_nursery"] as? String == "1M")
                #expect(body["nursery_bytes"] as? Int64 == Self.defaultBytes)
                let advice = try #require(body["advice"] as? String)
                #expect(advice.hasPrefix("Keep PyPy's default (1M)"))
                #expect(advice.contains("leave PYPY_GC_NURSERY unset"))
                #expect(body["interval"] is NSNull || body["interval"] == nil)
                let gain = try #require(body["expected_gain"] as? [String: Any])
                #expect(gain["mean"] as? Double == 0)

                let env = try await client.execute(uri: Self.query + "&format=env", method: .get)
                #expect(env.status == .ok)
                #expect(env.headers[.contentType]?.hasPrefix("text/plain") == true)
                let line = String(buffer: env.body)
                #expect(line.hasPrefix("# "), "a comment, not an assignment: \(line)")
                #expect(line.contains("keep PyPy's default (1M)"))
                #expect(line.hasSuffix("\n") && line.filter { $0 == "\n" }.count == 1)
                // What `eval "$(curl …&format=env)"` does: runs cleanly and sets nothing.
                #expect(
                    try Self.shell("unset PYPY_GC_NURSERY; eval \"$1\"; echo \"${PYPY_GC_NURSERY-unset}\"", line)
                        == "unset\n")
            }
        }
    }

    /// Runs `script` under /bin/sh with `argument` as `$1`; its stdout (it must exit 0).
    static func shell(_ script: String, _ argument: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "set -eu; " + script, "sh", argument]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }
}
