import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import Foundation
import Testing

extension EndToEnd {
    /// The ingestion API on a live server over a loopback port, driven by a real HTTP client
    /// (URLSession), with the database on a real file.
    @Suite("Ingestion end to end")
    struct IngestionEndToEndTests {
        /// The list body of `GET /api/v1/machines`.
        private struct MachineList: Decodable {
            var machines: [MachineSummaryDocument]
            var total: Int
            var links: [String: String]
        }

        @Test("a full sweep is stored and reads back identical; the same id again stores nothing twice")
        func fullSweepRoundTrip() async throws {
            let directory = try TemporaryDirectory()
            let submission = SweepFixture.make()
            let body = try SweepFixture.json(submission)
            #expect(
                submission.results.filter { $0.benchmark == BenchmarkName.gcbench }.reduce(0) { $0 + $1.samples.count }
                    == 400)

            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                let created = try await client.postSubmission(body)
                #expect(created.status == 201)
                let receipt = try created.decode(SubmissionReceipt.self)
                #expect(receipt.status == "created")
                #expect(receipt.machineID == submission.machine.machineID)
                #expect(created.header("Location") == "/api/v1/submissions/\(submission.id.uuidString.lowercased())")
                #expect(created.header("X-Request-ID")?.isEmpty == false)

                let read = try await client.getSubmission(submission.id)
                #expect(read.status == 200)
                let readBack = try read.decode(Submission.self)
                #expect(readBack == submission)
                #expect(readBack.results.flatMap(\.samples) == submission.results.flatMap(\.samples))

                let again = try await client.postSubmission(body)
                #expect(again.status == 200)
                #expect(try again.decode(SubmissionReceipt.self).status == "duplicate")

                let machines = try await client.getMachines().decode(MachineList.self)
                #expect(machines.total == 1)
                #expect(machines.machines.first?.submissionCount == 1)
                let machine = try await client.getMachine(submission.machine.machineID)
                #expect(machine.status == 200)
                #expect(try machine.decode(MachineDocument.self).submissions.map(\.id) == [submission.id])

                #expect(try await client.send("GET", "/healthz").status == 200)
            }
        }

        @Test("every class of bad input is a 4xx problem naming the field, and nothing is stored")
        func badInputStoresNothing() async throws {
            let directory = try TemporaryDirectory()
            let inputs = try BadInput.all()
            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                for input in inputs {
                    let reply = try await client.postSubmission(input.body, contentType: input.contentType)
                    #expect(reply.status == input.status, "\(input.name)")
                    let problem = try #require(try reply.problem(), "\(input.name): not problem+json")
                    #expect(problem.status == input.status)
                    #expect(
                        problem.errors?.contains { $0.field == input.field && $0.reason.contains(input.reason) }
                            == true,
                        "\(input.name): \(problem.errors ?? [])")
                }

                // Above the 8 MiB default, declared by Content-Length and refused before it is read.
                var huge = SweepFixture.make()
                huge.agent.name = String(repeating: "x", count: 9 << 20)
                let hugeBody = try SweepFixture.json(huge)
                let declared = try await client.postSubmission(hugeBody)
                #expect(declared.status == 413)
                #expect(try declared.problem()?.status == 413)
                // The same body streamed without a length: refused while it is collected.
                let streamed = try await client.postSubmission(hugeBody, stream: true)
                #expect(streamed.status == 413)
                #expect(try streamed.problem()?.status == 413)

                // Bad query and path parameters.
                for (path, field) in [
                    ("/api/v1/machines?limit=0", "limit"), ("/api/v1/machines?offset=-3", "offset"),
                    ("/api/v1/submissions/not-a-uuid", "id"), ("/api/v1/machines/hostname", "id"),
                ] {
                    let reply = try await client.send("GET", path)
                    #expect(reply.status == 400, "\(path)")
                    #expect(try reply.problem()?.errors?.map(\.field) == [field], "\(path)")
                }
                let wrongMethod = try await client.send("DELETE", "/api/v1/machines")
                #expect(wrongMethod.status == 405)
                #expect(wrongMethod.header("Allow") == "GET, HEAD")
                #expect(try await client.send("GET", "/no/such/page").problem()?.status == 404)

                // Nothing of any of it was stored.
                #expect(try await client.getSubmission(SweepFixture.id).status == 404)
                #expect(try await client.getMachines().decode(MachineList.self).total == 0)
            }
        }

        @Test("stop and restart on the same file: everything is still there")
        func survivesRestart() async throws {
            let directory = try TemporaryDirectory()
            let path = directory.path("crowdspeed.sqlite")
            let first = SweepFixture.make()
            let second = SweepFixture.make(id: UUID(), machine: SweepFixture.machine(model: "AMD EPYC 7763"), seed: 11)

            try await LiveServer.run(databasePath: path) { (baseURL: URL) async throws -> Void in
                let client = HTTPClient(baseURL: baseURL)
                #expect(try await client.postSubmission(try SweepFixture.json(first)).status == 201)
                #expect(try await client.postSubmission(try SweepFixture.json(second)).status == 201)
            }

            try await LiveServer.run(databasePath: path) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                #expect(try await client.getSubmission(first.id).decode(Submission.self) == first)
                #expect(try await client.getSubmission(second.id).decode(Submission.self) == second)
                #expect(try await client.getMachines().decode(MachineList.self).total == 2)
                // The idempotency key survives the restart too.
                let again = try await client.postSubmission(try SweepFixture.json(first))
                #expect(again.status == 200)
                #expect(try again.decode(SubmissionReceipt.self).status == "duplicate")
            }
        }
    }
}
