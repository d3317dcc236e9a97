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

/// `GET /api/v1/plan`: the served formula's sweep plan, the full grid before the first fit, and
/// 400 problems for bad parameters.
@Suite("Sweep plan API")
struct PlanAPITests {
    static let path = "/api/v1/plan"
    static let features = MachineFeatures(
        l2Bytes: 1 << 20, l3Bytes: 32 << 20, physicalCores: 8, procs: 2, arch: "x86_64", cpuVendor: "AuthenticAMD")

    static func plan(_ response: TestResponse) throws -> PlanDocument {
        try WireCoding.makeDecoder().decode(PlanDocument.self, from: Data(response.body.readableBytesView))
    }

    @Test("with a formula the plan is its band and far points, with the planned stopping rule and an ETag")
    func planFromTheFormula() async throws {
        try await FittingAPITests.withFitted { client, formula, _ in
            let response = try await client.execute(uri: "\(Self.path)?\(FittingAPITests.hardware)", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "public, max-age=60")
            let plan = try Self.plan(response)
            let expected = SweepPlan.plan(
                features: Self.features, pypyVersion: "7.3.11", report: formula.report, intervals: formula.intervals)
            #expect(expected.basis == .formula)
            #expect(plan.basis == "formula")
            #expect(plan.nurseries.map(\.nurseryBytes) == expected.nurseries)
            #expect(plan.nurseries.allSatisfy { NurserySize.parse($0.pypyGCNursery) == $0.nurseryBytes })
            #expect(plan.nurseries.count < NurserySize.sweepGrid.count)
            #expect(
                plan.predictedNurseryBytes
                    == formula.report.recommend(for: Self.features, pypyVersion: "7.3.11").formulaBytes)
            #expect(
                plan.bandLowerBytes == expected.band?.lowerBound && plan.bandUpperBytes == expected.band?.upperBound)
            // PyPy 7.3.11 on an AMD part reads the 1M L2 and picks 1M.
            #expect(plan.pypyDefaultBytes == 1 << 20)
            #expect(plan.stopping.rule == SweepPlan.plannedStopping)
            #expect(plan.formulaVersion == formula.version)
            #expect(plan.procs == 2)
            #expect(plan.links["formula"] == "/api/v1/formulas/\(formula.version)")

            let etag = try #require(response.headers[.eTag])
            let again = try await client.execute(
                uri: "\(Self.path)?\(FittingAPITests.hardware)", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
        }
    }

    @Test("before any fit the plan is the full grid with the agent's own rule, not a 503")
    func fullGridWithoutAFormula() async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "\(Self.path)?\(FittingAPITests.hardware)", method: .get)
                #expect(response.status == .ok)
                let plan = try Self.plan(response)
                #expect(plan.basis == PlanDocument.fullGridBasis)
                #expect(plan.nurseries.map(\.nurseryBytes) == NurserySize.sweepGrid)
                #expect(plan.stopping.rule == .adaptiveDefault)
                #expect(plan.predictedNurseryBytes == nil && plan.formulaVersion == nil)
                #expect(plan.bandLowerBytes == nil && plan.bandUpperBytes == nil)
            }
        }
    }

    @Test(
        "bad parameters are 400 problems naming the parameter",
        arguments: [
            ("l3_bytes=33554432&physical_cores=8&arch=x86_64&cpu_vendor=ARM", "l2_bytes"),
            ("l2_bytes=big&physical_cores=8&arch=x86_64&cpu_vendor=ARM", "l2_bytes"),
            ("l2_bytes=1048576&l2_bytes=2097152&physical_cores=8&arch=x86_64&cpu_vendor=ARM", "l2_bytes"),
            ("l2_bytes=1048576&physical_cores=0&arch=x86_64&cpu_vendor=ARM", "physical_cores"),
            ("l2_bytes=1048576&physical_cores=8&procs=0&arch=x86_64&cpu_vendor=ARM", "procs"),
            ("l2_bytes=1048576&physical_cores=8&arch=x86_64", "cpu_vendor"),
            ("l2_bytes=1048576&physical_cores=8&arch=x86_64&cpu_vendor=ARM&pypy_version=latest", "pypy_version"),
            // The recommendation's other parameters are not the plan's.
            ("l2_bytes=1048576&physical_cores=8&arch=x86_64&cpu_vendor=ARM&format=env", "format"),
            ("machine=m-0123456789abcdef", "machine"),
        ])
    func badParameters(query: String, parameter: String) async throws {
        try await FitPopulation.withDirectory { directory in
            let path = directory.appendingPathComponent("db.sqlite").path
            let store = try SQLiteResultStore(path: path)
            try await FitPopulation.withRouter(store: store, path: path) { client in
                let response = try await client.execute(uri: "\(Self.path)?\(query)", method: .get)
                #expect(response.status == .badRequest)
                let problem = try response.problem()
                #expect(problem.errors?.first?.field == parameter, "\(problem)")
            }
        }
    }
}
