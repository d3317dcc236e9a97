import Crypto
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import GRDB
import Testing

extension EndToEnd {
    /// `crowdspeed serve --snapshot-every`: the public snapshot made on a schedule by a live
    /// server and downloaded over HTTP as a data user would.
    @Suite("Published snapshot end to end")
    struct SnapshotPublishingEndToEndTests {
        /// Posts one small sweep for a machine named `model`.
        static func post(_ client: HTTPClient, model: String) async throws -> Submission {
            let submission = SweepFixture.make(id: UUID(), machine: SweepFixture.machine(model: model), rounds: 3)
            let reply = try await client.postSubmission(try SweepFixture.json(submission))
            #expect(reply.status == 201)
            return submission
        }

        /// Polls `path` until it answers 200 (the publisher runs at start-up, beside the listener).
        static func waitFor(_ path: String, client: HTTPClient) async throws -> HTTPClient.Reply {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let reply = try await client.send("GET", path)
                if reply.status == 200 || ContinuousClock.now > deadline { return reply }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        @Test(
            "the snapshot is published at start-up, served with its checksum as ETag, opens whole without secrets, and a restart offers it at once"
        )
        func publishedAndServed() async throws {
            let directory = try TemporaryDirectory()
            let database = directory.path("crowdspeed.sqlite")
            let snapshots = directory.path("public")
            let copy = directory.path("downloaded.sqlite")
            // A first server without a schedule takes two machines' runs and offers no snapshot.
            try await LiveServer.run(databasePath: database) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                _ = try await Self.post(client, model: "Snapshot CPU A")
                _ = try await Self.post(client, model: "Snapshot CPU B")
                let none = try await client.send("GET", "/data/crowdspeed-snapshot.sqlite")
                #expect(none.status == 404)
                #expect(try none.problem()?.detail?.contains("does not publish") == true)
                let page = try await client.send("GET", "/data")
                #expect(String(decoding: page.body, as: UTF8.self).contains("--snapshot-every 24h"))
            }

            let schedule = CrowdspeedServer.Configuration.SnapshotSchedule(
                interval: .seconds(3600), directory: snapshots)
            let first = try await LiveServer.run(databasePath: database, configure: { $0.snapshot = schedule }) {
                baseURL in
                let client = HTTPClient(baseURL: baseURL)
                let download = try await Self.waitFor("/data/crowdspeed-snapshot.sqlite", client: client)
                #expect(download.status == 200)
                let sha256 = SHA256.hash(data: download.body).map { String(format: "%02x", $0) }.joined()
                #expect(download.header("ETag") == "\"\(sha256)\"")
                #expect(download.header("Content-Type") == "application/vnd.sqlite3")
                let day = String(RFC3339.format(Date()).prefix(10))
                #expect(download.header("Content-Disposition")?.contains("crowdspeed-snapshot-\(day).sqlite") == true)
                #expect(download.header("Last-Modified")?.hasSuffix("GMT") == true)

                let checksum = try await client.send("GET", "/data/crowdspeed-snapshot.sqlite.sha256")
                #expect(
                    String(decoding: checksum.body, as: UTF8.self) == "\(sha256)  crowdspeed-snapshot-\(day).sqlite\n")
                let unchanged = try await client.send(
                    "GET", "/data/crowdspeed-snapshot.sqlite", headers: ["If-None-Match": "\"\(sha256)\""])
                #expect(unchanged.status == 304)
                #expect(unchanged.body.isEmpty)

                let page = String(decoding: try await client.send("GET", "/data").body, as: UTF8.self)
                #expect(page.contains(sha256))
                #expect(page.contains("2 machines"))

                // What was downloaded is a whole SQLite database with the public data only.
                try download.body.write(to: URL(fileURLWithPath: copy))
                let queue = try DatabaseQueue(path: copy)
                try await queue.read { db in
                    #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                    #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM machines") == 2)
                    #expect(try db.tableExists("installs") == false)
                    let columns = try db.columns(in: "submissions").map(\.name)
                    #expect(!columns.contains("deletion_token_hash"))
                    #expect(!columns.contains("install_id"))
                }
                try queue.close()
                return sha256
            }

            // A restart within the interval offers the same file at once, without rebuilding it.
            try await LiveServer.run(databasePath: database, configure: { $0.snapshot = schedule }) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                let again = try await client.send("GET", "/data/crowdspeed-snapshot.sqlite")
                #expect(again.status == 200)
                #expect(again.header("ETag") == "\"\(first)\"")
            }
        }

        @Test("--snapshot-every refuses what is not a duration of at least a minute, and --snapshot-dir alone")
        func scheduleOptions() throws {
            for bad in ["often", "30s", "0"] {
                #expect(throws: CrowdspeedServer.ConfigurationError.self) {
                    var options = CrowdspeedServer.Configuration.Options()
                    options.snapshotEvery = bad
                    _ = try CrowdspeedServer.Configuration.resolve(options, environment: [:])
                }
            }
            var dirOnly = CrowdspeedServer.Configuration.Options()
            dirOnly.snapshotDirectory = "/tmp/x"
            #expect(throws: CrowdspeedServer.ConfigurationError.self) {
                _ = try CrowdspeedServer.Configuration.resolve(dirOnly, environment: [:])
            }

            var daily = CrowdspeedServer.Configuration.Options(databasePath: "/srv/crowdspeed/db.sqlite")
            daily.snapshotEvery = "24h"
            let configuration = try CrowdspeedServer.Configuration.resolve(daily, environment: [:])
            #expect(configuration.snapshot == .init(interval: .seconds(86_400), directory: "/srv/crowdspeed"))
            var off = CrowdspeedServer.Configuration.Options()
            off.snapshotEvery = "off"
            #expect(try CrowdspeedServer.Configuration.resolve(off, environment: [:]).snapshot == nil)
        }
    }
}
