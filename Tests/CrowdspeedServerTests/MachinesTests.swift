import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `GET /api/v1/machines` and `GET /api/v1/machines/{id}` through the router.
@Suite("GET /api/v1/machines")
struct MachinesTests {
    /// Submits one small sweep from each of `count` different machines.
    private static func submitMachines(_ count: Int, client: any TestClientProtocol) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let machine = SweepFixture.machine(model: "AMD EPYC 7B1\(index)")
            let submission = SweepFixture.make(id: UUID(), machine: machine, rounds: 2)
            #expect(try await client.postSubmission(try SweepFixture.json(submission)).status == .created)
            ids.append(machine.machineID)
        }
        return ids
    }

    /// The list body as the server writes it.
    private struct ListBody: Decodable {
        var machines: [MachineSummaryDocument]
        var total: Int
        var limit: Int
        var offset: Int
        var links: [String: String]
    }

    @Test("pages carry total, limit, offset and a next link until the last page")
    func paginates() async throws {
        try await RouterHarness.run { client, _ in
            let ids = try await Self.submitMachines(3, client: client)
            let first = try await client.getMachines("limit=2").decode(ListBody.self)
            #expect(first.total == 3)
            #expect(first.limit == 2)
            #expect(first.offset == 0)
            #expect(first.machines.count == 2)
            #expect(first.links["next"] == "/api/v1/machines?limit=2&offset=2")

            let second = try await client.getMachines("limit=2&offset=2").decode(ListBody.self)
            #expect(second.machines.count == 1)
            #expect(second.links["next"] == nil)
            #expect(Set((first.machines + second.machines).map(\.id)) == Set(ids))

            let beyond = try await client.getMachines("offset=10").decode(ListBody.self)
            #expect(beyond.machines.isEmpty)
            #expect(beyond.total == 3)
        }
    }

    @Test("a limit above the cap is served capped")
    func capsLimit() async throws {
        try await RouterHarness.run { client, _ in
            let body = try await client.getMachines("limit=100000").decode(ListBody.self)
            #expect(body.limit == MachinesController.maxLimit)
        }
    }

    @Test(
        "bad query parameters are 400 problems naming the parameter",
        arguments: [
            ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=abc", "limit"), ("limit=1.5", "limit"),
            ("offset=-1", "offset"), ("offset=x", "offset"), ("limit=1&limit=2", "limit"),
            ("offset=99999999999999999999", "offset"),
        ])
    func badQuery(_ query: String, _ field: String) async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.getMachines(query)
            #expect(response.status == .badRequest)
            #expect(try response.problem().errors?.map(\.field) == [field])
        }
    }

    @Test("one machine: hardware and runs; 404 unknown; 400 malformed")
    func showsMachine() async throws {
        let submission = SweepFixture.make()
        try await RouterHarness.run { client, _ in
            #expect(try await client.postSubmission(try SweepFixture.json(submission)).status == .created)
            let machineID = submission.machine.machineID
            let response = try await client.getMachine(machineID)
            #expect(response.status == .ok)
            let detail = try response.decode(MachineDocument.self)
            #expect(detail.summary.id == machineID)
            #expect(detail.hardware == submission.machine)
            #expect(detail.submissions.map(\.id) == [submission.id])

            #expect(try await client.getMachine("m-0000000000000000").status == .notFound)
            let bad = try await client.getMachine("hostname")
            #expect(bad.status == .badRequest)
            #expect(try bad.problem().errors?.map(\.field) == ["id"])
        }
    }
}
