import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Quarantine on the dashboard: pages hide what the machines API hides and mark what they still show.
@Suite("Pages and quarantine")
struct QuarantinePageTests {
    static let token = "an-admin-token-with-enough-entropy-0123456789"

    /// `POST /api/v1/admin/quarantine` for one target.
    static func quarantine(_ client: some TestClientProtocol, kind: String, id: String) async throws {
        let body = try JSONSerialization.data(withJSONObject: ["kind": kind, "id": id, "reason": "spam"])
        let response = try await client.execute(
            uri: "/api/v1/admin/quarantine", method: .post,
            headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
            body: ByteBuffer(bytes: body))
        #expect(response.status == .ok)
    }

    /// Posts a fixture submission for a machine named `model`; the receipt's install token.
    static func post(_ client: some TestClientProtocol, model: String, install: String? = nil) async throws -> (
        Submission, String?
    ) {
        let submission = SweepFixture.make(id: UUID(), machine: SweepFixture.machine(model: model), rounds: 3)
        var headers = HTTPFields()
        if let install { headers[HTTPField.Name("X-Crowdspeed-Install")!] = install }
        let response = try await client.postSubmission(try SweepFixture.json(submission), headers: headers)
        #expect(response.status == .created)
        let receipt = try JSONDecoder().decode(SubmissionReceipt.self, from: Data(response.body.readableBytesView))
        return (submission, receipt.installToken)
    }

    /// The `quarantined` tags in the Runs table of a machine page.
    static func quarantinedRuns(_ html: String) -> Int {
        guard let runs = html.range(of: "id=\"runs-heading\"") else { return 0 }
        return html[runs.upperBound...].components(separatedBy: "<span class=\"tag\">quarantined</span>").count - 1
    }

    @Test("machines with no visible run leave the machines table and the overview; their runs are marked quarantined")
    func pagesFollowQuarantine() async throws {
        try await PageHarness.run(configure: {
            $0.adminTokenHash = SecretToken.digest(Self.token)
            $0.addressRateLimit = nil
            $0.installRateLimit = nil
        }) { client, store in
            // Kept: a machine with two runs, one of them quarantined.
            let (kept, _) = try await Self.post(client, model: "Kept CPU 1")
            let (keptSpam, _) = try await Self.post(client, model: "Kept CPU 1")
            // Hidden by a submission quarantine: its only run.
            let (single, _) = try await Self.post(client, model: "Single Run CPU 2")
            // Hidden by an install quarantine: both runs came from one install.
            let (first, install) = try await Self.post(client, model: "Install CPU 3")
            let (second, _) = try await Self.post(client, model: "Install CPU 3", install: install)
            #expect(first.machine.machineID == second.machine.machineID)

            try await Self.quarantine(client, kind: "submission", id: keptSpam.id.uuidString.lowercased())
            try await Self.quarantine(client, kind: "submission", id: single.id.uuidString.lowercased())
            let installID = try #require(
                try await store.submissionProvenance().first { $0.submissionID == first.id }?.installID)
            try await Self.quarantine(client, kind: "install", id: installID)

            let machines = try await client.get("/machines").text
            #expect(machines.contains("/machines/\(kept.machine.machineID)"))
            #expect(
                !machines.contains("/machines/\(single.machine.machineID)"),
                "a machine whose only run is quarantined is listed")
            #expect(
                !machines.contains("/machines/\(first.machine.machineID)"),
                "a machine of a quarantined install is listed")
            #expect(!machines.contains("Single Run CPU 2") && !machines.contains("Install CPU 3"))

            let overview = try await client.get("/").text
            #expect(overview.contains("<dt>Machines</dt><dd>1</dd>"), "the overview counts only visible machines")
            #expect(overview.contains("<dt>Runs</dt><dd>1</dd>"), "the overview counts only visible runs")
            #expect(!overview.contains("Single Run CPU 2") && !overview.contains("Install CPU 3"))

            // The machine pages stay reachable and say which runs are quarantined.
            let keptPage = try await client.get("/machines/\(kept.machine.machineID)")
            #expect(keptPage.status == .ok)
            #expect(Self.quarantinedRuns(keptPage.text) == 1)
            #expect(
                !keptPage.text.contains("<strong>quarantined</strong>"), "a machine with a visible run is not hidden")
            let installPage = try await client.get("/machines/\(first.machine.machineID)")
            #expect(installPage.status == .ok)
            #expect(Self.quarantinedRuns(installPage.text) == 2, "runs hidden through their install are marked too")
            #expect(
                installPage.text.contains("<strong>quarantined</strong>"),
                "a machine with no visible run says it is hidden")
        }
    }
}
