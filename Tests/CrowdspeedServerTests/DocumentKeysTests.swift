import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

/// The API documents built from the store's read models write exactly the keys the API has
/// always written (and `Web/static/openapi.json` documents), every optional field set.
@Suite("API documents from read models")
struct DocumentKeysTests {
    static let at = SweepFixture.createdAt

    static let summary = MachineSummary(
        id: "m-0123456789abcdef", arch: "x86_64", cpuVendor: "AuthenticAMD", cpuModel: "AMD EPYC 7B13",
        physicalCores: 2, logicalCPUs: 4, memoryBytes: 1 << 33, l2Bytes: 512 << 10, l3Bytes: 32 << 20,
        cpuinfoCacheBytes: 512 << 10, submissionCount: 3, firstSeen: at, lastSeen: at, quarantined: true)

    static let run = SubmissionRef(
        id: SweepFixture.id, createdAt: at, receivedAt: at, source: .agent,
        interpreter: InterpreterInfo(
            implementation: "PyPy", version: "7.3.17", languageVersion: "3.10.14", executable: "pypy3"),
        resultCount: 28, sampleCount: 380, quarantined: false, flag: "outlier")

    /// The keys of `value` as the API encodes it.
    static func keys(_ value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: WireCoding.makeEncoder().encode(value))
        return Set(try #require(object as? [String: Any]).keys)
    }

    /// The property names of a schema of the OpenAPI document.
    static func documented(_ schema: String) throws -> Set<String> {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: OpenAPIController.documentURL)) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let properties = (schemas?[schema] as? [String: Any])?["properties"] as? [String: Any]
        return Set(try #require(properties, "schema \(schema)").keys)
    }

    @Test("machines: the list, its rows, one machine and its runs")
    func machines() throws {
        let row = MachineSummaryDocument(Self.summary)
        #expect(try Self.keys(row) == Self.documented("MachineSummary"))
        let list = MachineListDocument(
            MachinePage(machines: [Self.summary], total: 1, limit: 50, offset: 0), limit: 50, offset: 0,
            links: ["self": "/api/v1/machines"])
        #expect(try Self.keys(list) == Self.documented("MachineList"))
        let detail = MachineDocument(
            MachineDetail(summary: Self.summary, hardware: SweepFixture.machine(), submissions: [Self.run]),
            links: ["self": "/api/v1/machines/m-0123456789abcdef"])
        #expect(try Self.keys(detail) == Self.documented("MachineDetail"))
        #expect(
            try Self.keys(SubmissionRefDocument(Self.run))
                == [
                    "id", "created_at", "received_at", "source", "interpreter", "result_count", "sample_count",
                    "quarantined", "flag",
                ])
    }

    @Test("the audit log's entries")
    func audit() throws {
        let entry = AuditEntry(
            id: 1, at: Self.at, actor: "admin-api", action: "quarantine", targetKind: "install", targetID: "i-1",
            reason: "spam")
        #expect(
            try Self.keys(AuditEntryDocument(entry))
                == ["id", "at", "actor", "action", "target_kind", "target_id", "reason"])
    }

    @Test("the formula history's entries and their metrics")
    func formulaHistory() throws {
        let metrics = FormulaMetrics(
            globalName: "k_l3_per_procs", globalText: "nursery = 0.25 × L3 / procs", heldOutRegret: 0.01,
            pypyDefaultRegret: 0.05, bestConstantRegret: 0.03, noiseFloor: 0.002, gainOverDefault: 0.04,
            machines: 30, curves: 60, cpuModels: 5)
        let summary = FormulaSummary(
            version: 2, createdAt: Self.at, scope: .real, sources: "agent,import", inputSubmissions: 40,
            metrics: metrics, fitMilliseconds: 12.5)
        #expect(
            try Self.keys(FormulaSummaryDocument(summary))
                == ["version", "created_at", "scope", "sources", "input_submissions", "metrics", "fit_milliseconds"])
        #expect(
            try Self.keys(FormulaMetricsDocument(metrics))
                == [
                    "global_name", "global_text", "held_out_regret", "pypy_default_regret", "best_constant_regret",
                    "noise_floor", "gain_over_default", "machines", "curves", "cpu_models",
                ])
    }
}
