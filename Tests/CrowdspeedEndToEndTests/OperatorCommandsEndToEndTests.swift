import CrowdspeedCore
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The operator's commands as an operator runs them: the real `crowdspeed` binary's
    /// `backup`, `admin quarantine|release|audit` and `restore` against the file a running
    /// `crowdspeed serve` is using, checked through the server's API.
    @Suite("Operator commands", .serialized, .timeLimit(.minutes(2)))
    struct OperatorCommandsEndToEndTests {
        /// What a finished command left behind.
        struct Finished {
            var status: Int32
            var output: String
        }

        /// Runs `crowdspeed arguments…` to completion, stdout and stderr together.
        static func crowdspeed(_ arguments: [String]) throws -> Finished {
            let process = Process()
            process.executableURL = try CrashSafetyTests.serverBinary()
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Finished(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }

        /// `total` of `GET /api/v1/machines`: the machines the API lists.
        static func listedMachines(_ client: HTTPClient) async throws -> Int {
            let reply = try await client.getMachines()
            #expect(reply.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [String: Any])
            return try #require(object["total"] as? Int)
        }

        @Test(
            "backup while serving (never --force onto the served file), quarantine and release from the CLI, audit, restore into a new file"
        )
        func backupModerateRestore() async throws {
            let directory = try TemporaryDirectory()
            let database = directory.path("live.sqlite")
            let backup = directory.path("backup.sqlite")
            let restored = directory.path("restored.sqlite")
            let first = SweepFixture.make(
                id: UUID(), machine: SweepFixture.machine(model: "AMD EPYC 7B13"), rounds: 3, seed: 1)
            let second = SweepFixture.make(
                id: UUID(), machine: SweepFixture.machine(model: "Intel Xeon 8480+"), rounds: 3, seed: 2)

            let server = try await CrashSafetyTests.start(database: database)
            defer {
                server.process.terminate()
                server.process.waitUntilExit()
            }
            let client = HTTPClient(baseURL: URL(string: "http://127.0.0.1:\(server.port)")!)
            for submission in [first, second] {
                #expect(try await client.postSubmission(SweepFixture.json(submission)).status == 201)
            }
            #expect(try await Self.listedMachines(client) == 2)

            // An online backup of the file the server is writing, verified by the command.
            let backedUp = try Self.crowdspeed(["backup", "--db", database, backup])
            #expect(backedUp.status == 0, "\(backedUp.output)")
            #expect(try SQLiteResultStore.integrityProblems(at: backup).isEmpty)

            // --force never replaces the file being served: not as the backup's own source (by
            // its path or a link to it), nor as a database another process (the server) has open.
            let link = directory.path("link.sqlite")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: database)
            for target in [database, link] {
                let onto = try Self.crowdspeed(["backup", "--db", database, target, "--force"])
                #expect(onto.status == 1, "\(onto.output)")
                #expect(onto.output.contains("is the database being copied"), "\(onto.output)")
            }
            let ontoServed = try Self.crowdspeed(["backup", "--db", backup, database, "--force"])
            #expect(ontoServed.status == 1, "\(ontoServed.output)")
            #expect(ontoServed.output.contains("open elsewhere"), "\(ontoServed.output)")
            let restoreOntoServed = try Self.crowdspeed(["restore", "--db", database, backup, "--force"])
            #expect(restoreOntoServed.status == 1, "\(restoreOntoServed.output)")
            #expect(restoreOntoServed.output.contains("open elsewhere"), "\(restoreOntoServed.output)")
            #expect(FileManager.default.fileExists(atPath: database + "-wal"))
            #expect(try await Self.listedMachines(client) == 2)

            // Quarantine from the CLI hides the machine of the only submission it had; the
            // audit log names the action and the reason; release brings it back.
            let id = first.id.uuidString.lowercased()
            let quarantined = try Self.crowdspeed([
                "admin", "quarantine", "--db", database, "--submission", id, "--reason", "e2e check",
            ])
            #expect(quarantined.status == 0, "\(quarantined.output)")
            #expect(try await Self.listedMachines(client) == 1)
            let audit = try Self.crowdspeed(["admin", "audit", "--db", database])
            #expect(audit.status == 0)
            #expect(audit.output.contains(id) && audit.output.contains("e2e check"), "\(audit.output)")
            let released = try Self.crowdspeed(["admin", "release", "--db", database, "--submission", id])
            #expect(released.status == 0, "\(released.output)")
            #expect(try await Self.listedMachines(client) == 2)

            // Bad input to the commands fails with a message and changes nothing.
            let malformed = try Self.crowdspeed(["admin", "quarantine", "--db", database, "--submission", "not-a-uuid"])
            #expect(malformed.status != 0)
            #expect(!malformed.output.isEmpty)
            #expect(try await Self.listedMachines(client) == 2)

            // Restore into a new file, then serve it: both submissions are there, raw samples too.
            let restoredRun = try Self.crowdspeed(["restore", "--db", restored, backup])
            #expect(restoredRun.status == 0, "\(restoredRun.output)")
            let refused = try Self.crowdspeed(["restore", "--db", restored, backup])
            #expect(refused.status != 0, "an existing database is replaced only with --force")
            let secondServer = try await CrashSafetyTests.start(database: restored)
            defer {
                secondServer.process.terminate()
                secondServer.process.waitUntilExit()
            }
            let restoredClient = HTTPClient(baseURL: URL(string: "http://127.0.0.1:\(secondServer.port)")!)
            for submission in [first, second] {
                #expect(try await restoredClient.getSubmission(submission.id).decode(Submission.self) == submission)
            }
        }
    }
}
