import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Recommendations that fit the machine: a machine's own measured best answers before any
/// formula exists and beside the formula's answer; the expected gain is the input's own; and
/// `format=env` is shell text for every outcome.
@Suite("Measured and per-input recommendations")
struct MachineAdviceAPITests {
    static let path = "/api/v1/recommendations/nursery"

    /// A machine whose gcbench curve is lowest at PyPy's own default (1M on this AMD part) and
    /// rises on both sides: any other size is worse here than the default.
    static func defaultIsBestMachine() -> Submission {
        var submission = KeepDefaultAPITests.submissions()[11]
        submission.id = UUID(uuidString: "00000000-0000-4000-8000-0000000000d1")!
        return submission
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test(
        "before any formula: a machine with its own curve gets its measured best; other inputs get 503, as JSON or as an eval-safe comment"
    )
    func measuredWithoutFormula() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            let submission = SweepFixture.make(rounds: 6)
            _ = try await Pipeline(stores: StoreCapabilities(store)).ingest(submission, receivedAt: SweepFixture.now)
            let id = submission.machine.machineID
            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "\(Self.path)?machine=\(id)&procs=1", method: .get)
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["source"] as? String == "measured")
                #expect(body["formula"] == nil || body["formula"] is NSNull)
                #expect(body["formula_answer"] == nil || body["formula_answer"] is NSNull)
                let machine = try #require(try await store.machine(id: id))
                let curve = try #require(
                    MachineAdvice.resolvedCurve(
                        in: machine.curves, procs: 1, pypyVersion: submission.interpreter.version))
                let best = try #require(curve.summary.best)
                #expect(body["keep_default"] as? Bool == curve.summary.defaultInFlatSet)
                if !curve.summary.defaultInFlatSet {
                    #expect(body["nursery_bytes"] as? Int64 == best.nurseryBytes)
                }
                let interval = try #require(body["interval"] as? [String: Any])
                #expect(interval["lower_bytes"] as? Int64 == best.intervalLowerBytes)
                #expect(interval["upper_bytes"] as? Int64 == best.intervalUpperBytes)
                let gain = try #require(body["expected_gain"] as? [String: Any])
                #expect(gain["basis"] as? String == "measured")

                // A hardware query has no curve of its own: nothing can answer yet.
                let hardware =
                    "l2_bytes=524288&l3_bytes=33554432&physical_cores=1&arch=x86_64&cpu_vendor=AuthenticAMD"
                let unavailable = try await client.execute(uri: "\(Self.path)?\(hardware)", method: .get)
                #expect(unavailable.status == .serviceUnavailable)
                #expect(try unavailable.problem().status == 503)

                let env = try await client.execute(uri: "\(Self.path)?\(hardware)&format=env", method: .get)
                #expect(env.status == .serviceUnavailable)
                #expect(env.headers[.retryAfter] != nil)
                #expect(env.headers[.contentType]?.hasPrefix("text/plain") == true)
                let line = String(buffer: env.body)
                #expect(line.hasPrefix("# ") && line.contains("503"), "\(line)")
                #expect(
                    try KeepDefaultAPITests.shell(
                        "PYPY_GC_NURSERY=keep; eval \"$1\"; echo \"$PYPY_GC_NURSERY\"", line) == "keep\n")
            }
        }
    }

    @Test(
        "format=env errors are one comment line that sets nothing, whatever the request held",
        arguments: [
            ("machine=m-0123456789abcdef&format=env", 404),
            ("machine=nope&format=env", 400),
            ("format=env&l2_bytes=1048576", 400),
            ("format=env&x%0APYPY_GC_NURSERY%3D1G%3B%20touch%20%2Ftmp%2Fpwned=1", 400),
        ])
    func environmentErrors(query: String, status: Int) async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "\(Self.path)?\(query)", method: .get)
                #expect(Int(response.status.code) == status)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let body = String(buffer: response.body)
                #expect(body.hasPrefix("# ") && body.hasSuffix("\n"), "\(body)")
                #expect(body.filter(\.isNewline).count == 1, "one line: \(body)")
                #expect(
                    try KeepDefaultAPITests.shell(
                        "unset PYPY_GC_NURSERY; eval \"$1\"; echo \"${PYPY_GC_NURSERY-unset}\"", body) == "unset\n")
            }
        }
    }

    @Test("a machine whose default beats the formula's size: measured, keep_default, the formula's loss shown beside")
    func formulaWorseThanDefault() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try await FitPopulation.copyOfTemplate(at: path)
            let submission = Self.defaultIsBestMachine()
            _ = try await Pipeline(stores: StoreCapabilities(store)).ingest(submission, receivedAt: SweepFixture.now)
            guard case .fitted(let formula) = try await Refitter(store: store, scope: .real).refit() else {
                Issue.record("no formula fitted")
                return
            }
            let id = submission.machine.machineID
            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "\(Self.path)?machine=\(id)&procs=1", method: .get)
                #expect(response.status == .ok)
                let body = try Self.json(response)
                #expect(body["source"] as? String == "measured")
                #expect(body["keep_default"] as? Bool == true)
                #expect(body["pypy_gc_nursery"] as? String == "1M")
                #expect((body["advice"] as? String)?.hasPrefix("Keep PyPy's default (1M)") == true)
                #expect((body["formula"] as? [String: Any])?["version"] as? Int == formula.version)

                let answer = try #require(body["formula_answer"] as? [String: Any])
                let formulaBytes = try #require(answer["formula_nursery_bytes"] as? Int64)
                try #require(formulaBytes != KeepDefaultAPITests.defaultBytes, "the formula must differ here")
                let onThisMachine = try #require(answer["measured_gain_on_this_machine"] as? Double)
                #expect(onThisMachine < 0, "the formula's \(formulaBytes) is worse here than the default")
                let formulaGain = try #require(answer["expected_gain"] as? [String: Any])
                #expect(formulaGain["basis"] as? String == "distance")

                let env = try await client.execute(uri: "\(Self.path)?machine=\(id)&procs=1&format=env", method: .get)
                #expect(env.status == .ok)
                let line = String(buffer: env.body)
                #expect(line.hasPrefix("# PYPY_GC_NURSERY: keep PyPy's default (1M)"), "\(line)")
            }
        }
    }

    @Test("the expected gain is the input's own: read at its distance from the default, keep_default from its p10")
    func perInputGain() async throws {
        try await FittingAPITests.withFitted { client, formula, _ in
            let inputs = [
                "l2_bytes=1048576&l3_bytes=33554432&physical_cores=8&procs=2",
                "l2_bytes=262144&l3_bytes=8388608&physical_cores=4&procs=1",
                "l2_bytes=2097152&l3_bytes=268435456&physical_cores=64&procs=1",
            ]
            var means: [Double] = []
            for hardware in inputs {
                let uri = "\(Self.path)?\(hardware)&arch=x86_64&cpu_vendor=AuthenticAMD&pypy_version=7.3.11"
                let body = try Self.json(try await client.execute(uri: uri, method: .get))
                #expect(body["source"] as? String == "formula")
                let answer = try #require(body["formula_answer"] as? [String: Any])
                let gain = try #require(answer["expected_gain"] as? [String: Any])
                #expect(gain["basis"] as? String == "distance")
                let defaultBytes = try #require(gain["default_nursery_bytes"] as? Int64)
                let formulaBytes = try #require(answer["formula_nursery_bytes"] as? Int64)
                let distance = try #require(gain["distance_log2"] as? Double)
                #expect(abs(distance - (log2(Double(defaultBytes)) - log2(Double(formulaBytes)))) < 1e-9)
                let mean = try #require(gain["mean"] as? Double)
                let p10 = try #require(gain["p10"] as? Double)
                let p90 = try #require(gain["p90"] as? Double)
                #expect(p10 <= p90 && mean.isFinite)
                #expect(body["keep_default"] as? Bool == !(p10 > 0))
                let population = try #require(gain["population_mean"] as? Double)
                #expect(
                    abs(population - formula.report.global.gainOverDefault.mean) < 1e-9
                        || formula.report.classes.contains { $0.accepted })
                means.append(mean)
            }
            #expect(Set(means.map { ($0 * 1e6).rounded() }).count > 1, "the gain depends on the input: \(means)")
        }
    }
}
