import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// `--db` and `--database-url` as an operator types them, through the real `crowdspeed` binary.
    @Suite("Database options", .timeLimit(.minutes(2)))
    struct DatabaseOptionsEndToEndTests {
        static func crowdspeed(_ arguments: [String]) throws -> OperatorCommandsEndToEndTests.Finished {
            try OperatorCommandsEndToEndTests.crowdspeed(arguments)
        }

        @Test("migrate --database-url sqlite:PATH prints what it applied, then nothing the second time")
        func migrateSQLite() throws {
            let directory = try TemporaryDirectory()
            let url = "sqlite:" + directory.path("new.sqlite")
            let first = try Self.crowdspeed(["migrate", "--database-url", url])
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("applied 0001_initial"))
            #expect(first.output.contains("applied 0009_refit_lease"))
            let second = try Self.crowdspeed(["migrate", "--database-url", url])
            #expect(second.status == 0, "\(second.output)")
            #expect(!second.output.contains("applied 0"))
            #expect(second.output.contains("0 migrations applied"))
        }

        @Test("--db and --database-url together are a usage error naming both")
        func conflicting() throws {
            let directory = try TemporaryDirectory()
            for command in [["migrate"], ["refit"], ["admin", "audit"], ["serve"]] {
                let finished = try Self.crowdspeed(
                    command + ["--db", directory.path("a.sqlite"), "--database-url", "sqlite:" + directory.path("b")])
                #expect(finished.status == 64, "\(command): \(finished.output)")
                #expect(finished.output.contains("--database-url and --db both name a database"), "\(command)")
            }
        }

        @Test("commands that copy a SQLite file refuse a PostgreSQL URL and say what to use")
        func sqliteOnly() throws {
            let directory = try TemporaryDirectory()
            let url = "postgres://crowdspeed@127.0.0.1:1/none"
            let backup = try Self.crowdspeed(["backup", "--database-url", url, directory.path("b.sqlite")])
            #expect(backup.status == 1)
            #expect(backup.output.contains("works on a SQLite file only; on PostgreSQL use pg_dump"))
            let snapshot = try Self.crowdspeed(["snapshot", "--database-url", url, directory.path("s.sqlite")])
            #expect(snapshot.status == 1)
            #expect(snapshot.output.contains("works on a SQLite file only"))
        }

        @Test("copy refuses a source that is not sqlite: and a target that is not postgres://")
        func copyArguments() throws {
            let finished = try Self.crowdspeed(["copy", "--from", "postgres://a@b/c", "--to", "postgres://a@b/d"])
            #expect(finished.status == 64)
            #expect(finished.output.contains("--from must be sqlite:PATH"))
        }
    }
}
