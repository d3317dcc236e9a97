import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /api/v1/submissions/{id}` through the router, on the real SQLite store.
@Suite("GET /api/v1/submissions/{id}")
struct SubmissionsReadTests {
    @Test("a stored submission reads back identical, with machine_id, received_at and links")
    func readsBack() async throws {
        let submission = SweepFixture.make()
        try await RouterHarness.run { client, _ in
            #expect(try await client.postSubmission(try SweepFixture.json(submission)).status == .created)
            // Upper- and lower-case spellings of the id name the same submission.
            for spelling in [submission.id.uuidString.lowercased(), submission.id.uuidString] {
                let response = try await client.getSubmission(spelling)
                #expect(response.status == .ok)
                #expect(try response.decode(Submission.self) == submission)

                let object = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: Any])
                #expect(object["machine_id"] as? String == submission.machine.machineID)
                #expect(object["received_at"] as? String == RFC3339.format(SweepFixture.now))
                let links = try #require(object["links"] as? [String: String])
                #expect(links["machine"] == "/api/v1/machines/\(submission.machine.machineID)")
            }
        }
    }

    @Test("an unknown id is a 404 problem")
    func unknownID() async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.getSubmission(UUID().uuidString)
            #expect(response.status == .notFound)
            #expect(try response.problem().detail?.contains("No submission") == true)
        }
    }

    @Test(
        "an id that is not a UUID is a 400 problem naming id",
        arguments: ["42", "not-a-uuid", "%3Cscript%3E", String(repeating: "a", count: 300)])
    func malformedID(_ id: String) async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.getSubmission(id)
            #expect(response.status == .badRequest)
            #expect(try response.problem().errors == [FieldIssue(field: "id", reason: "is not a UUID")])
        }
    }
}
