import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedStorePostgres
import CrowdspeedStoreTestSupport
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// Two complete servers (each the real `buildApplication`: its own PostgreSQL pool, refit
    /// service and lease holder, its own HTTP listener) on one PostgreSQL database, driven over
    /// loopback HTTP: what an operator runs behind a load balancer. They share this test's
    /// process, not a process each; nothing in a server is process-global except logging.
    @Suite("Two instances on PostgreSQL end to end")
    struct PostgresTwoInstanceEndToEndTests {
        static let adminToken = "an-admin-token-with-enough-entropy-0123456789"

        /// One instance's settings: the database, a prompt refit after 20 submissions (the
        /// interval only as a backstop), formula polling every 200 ms, an admin token.
        static func configure(_ url: PostgresURL) -> @Sendable (inout CrowdspeedServer.Configuration) -> Void {
            { configuration in
                configuration.database = .postgres(url)
                configuration.refit.minimumNewSubmissions = 20
                configuration.refit.interval = .seconds(3600)
                configuration.formulaRefreshInterval = .milliseconds(200)
                configuration.adminTokenHash = SecretToken.digest(adminToken)
            }
        }

        /// The served formula's version from `GET /api/v1/formulas`, nil while none is fitted.
        static func formulaVersion(_ client: HTTPClient) async throws -> Int? {
            try await formulaList(client).current
        }

        /// The served version and, per version in the history (newest first), the submissions
        /// its fit read.
        static func formulaList(_ client: HTTPClient) async throws -> (current: Int?, inputs: [Int]) {
            let reply = try await client.send("GET", "/api/v1/formulas")
            guard reply.status == 200,
                let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any]
            else { return (nil, []) }
            let current = (object["current"] as? [String: Any])?["version"] as? Int
            let history = (object["history"] as? [[String: Any]]) ?? []
            return (current, history.compactMap { $0["input_submissions"] as? Int })
        }

        /// Polls `condition` for up to 60 s.
        static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return false
        }

        @Test(
            "concurrent writes to both, one id to both at once, reads across, one refit reaching both, moderation across, a restart losing nothing",
            .enabled(if: TestPostgres.isAvailable, TestPostgres.skipReason), .timeLimit(.minutes(5)))
        func twoInstances() async throws {
            try await TestPostgres.withFreshDatabase { url in
                let simulator = PopulationSimulator(seed: 5)
                let population: [Submission] = (0..<24).map { index in
                    var submission = simulator.machine(at: index).submission
                    submission.source = .agent
                    return submission
                }
                let configure = Self.configure(url)
                let unused = FileManager.default.temporaryDirectory.appendingPathComponent("unused.sqlite").path

                try await LiveServer.run(databasePath: unused, configure: configure) { first in
                    try await LiveServer.run(databasePath: unused, configure: configure) { second in
                        let a = HTTPClient(baseURL: first)
                        let b = HTTPClient(baseURL: second)

                        // The population, alternately to each instance, all at once.
                        try await withThrowingTaskGroup(of: Int.self) { group in
                            for (index, submission) in population.enumerated() {
                                let client = index.isMultiple(of: 2) ? a : b
                                group.addTask {
                                    try await client.postSubmission(try SweepFixture.json(submission)).status
                                }
                            }
                            for try await status in group { #expect(status == 201) }
                        }

                        // One new id to both at the same moment: one creates it, the other
                        // finds it stored (200), never a 5xx.
                        let twin = SweepFixture.make(id: UUID(), machine: SweepFixture.machine(model: "Twin CPU"))
                        let body = try SweepFixture.json(twin)
                        async let toA = a.postSubmission(body)
                        async let toB = b.postSubmission(body)
                        let statuses = [try await toA.status, try await toB.status].sorted()
                        #expect(statuses == [200, 201])
                        // The same id with other content, to either: a conflict.
                        var altered = twin
                        altered.run?.rounds = (twin.run?.rounds ?? 1) + 1
                        #expect(try await b.postSubmission(try SweepFixture.json(altered)).status == 409)

                        // Reads across: what one stored, the other serves.
                        for submission in population.prefix(4) {
                            #expect(try await b.getSubmission(submission.id).status == 200)
                            #expect(try await a.getSubmission(submission.id).status == 200)
                        }
                        let totalA = try await a.getMachines().decode(MachineTotal.self).total
                        let totalB = try await b.getMachines().decode(MachineTotal.self).total
                        #expect(totalA == population.count + 1)
                        #expect(totalB == totalA)

                        // One refit, seen by both: the lease lets one instance fit, the formula
                        // polling brings its version to the other.
                        let reachedBoth = try await Self.eventually {
                            let versionA = try await Self.formulaVersion(a)
                            let versionB = try await Self.formulaVersion(b)
                            return versionA != nil && versionA == versionB
                        }
                        #expect(reachedBoth)
                        // Never the same data fitted twice: each version read more submissions
                        // than the one before (an instance may fit at start-up on the first few,
                        // then again once --refit-after more arrived; never both at once).
                        let list = try await Self.formulaList(a)
                        #expect(list.inputs.count == list.current)
                        #expect(zip(list.inputs, list.inputs.dropFirst()).allSatisfy { $0 > $1 })

                        // Quarantine through one, visible through the other.
                        let machineID = twin.machine.machineID
                        let moderation = try JSONSerialization.data(withJSONObject: [
                            "kind": "machine", "id": machineID, "reason": "test",
                        ])
                        let quarantined = try await a.send(
                            "POST", "/api/v1/admin/quarantine", body: moderation, contentType: "application/json",
                            headers: ["Authorization": "Bearer \(Self.adminToken)"])
                        #expect(quarantined.status == 200)
                        let visible = try await b.getMachines().decode(MachineTotal.self).total
                        #expect(visible == population.count)
                    }
                }

                // A restart of one instance (the other already stopped too) loses nothing.
                try await LiveServer.run(databasePath: unused, configure: configure) { again in
                    let client = HTTPClient(baseURL: again)
                    for submission in population {
                        #expect(try await client.getSubmission(submission.id).status == 200)
                    }
                    let version = try await Self.formulaVersion(client)
                    #expect(version != nil)
                }
            }
        }

        private struct MachineTotal: Decodable {
            var total: Int
        }
    }
}
