import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// Issue 15's "from nothing to a recommendation": `scripts/build-agent` makes the
    /// self-contained release build, the live server offers it, and `install.sh` installs it
    /// into an empty HOME with no Swift toolchain on PATH, where it sweeps the real pypy3,
    /// uploads without `--server`, and verifies sizes whose results show on the API and the
    /// formulas page.
    @Suite("Agent distribution end to end", .serialized)
    struct AgentDistributionEndToEndTests {
        /// The package root.
        static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()

        /// Runs `script` under `sh -c` on a thread of its own (the live server shares this process).
        static func shell(_ script: String, environment: [String: String]) async throws -> ChildOutcome {
            let command = ChildCommand(executable: "/bin/sh", arguments: ["-c", script], environment: environment)
            return try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try ChildProcess.runConcurrently([command])[0] }) }.start()
            }
        }

        @Test(
            "build-agent makes a stripped static build with its checksum; install.sh installs it; it runs pypy3, uploads and verifies",
            .timeLimit(.minutes(30)))
        func buildInstallRun() async throws {
            let directory = try TemporaryDirectory()
            let builds = directory.path("agents")
            var buildEnvironment = ProcessInfo.processInfo.environment
            buildEnvironment["PWD"] = Self.root.path
            let build = try await Self.shell(
                "cd '\(Self.root.path)' && scripts/build-agent '\(builds)'", environment: buildEnvironment)
            #expect(build.exitCode == 0, "\(build.stderr)")
            let path = build.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let name = URL(fileURLWithPath: path).lastPathComponent
            #expect(name.hasPrefix("crowdspeed-agent-linux-"))

            // No Swift runtime library is needed where it lands.
            let ldd = try await Self.shell("ldd '\(builds)/\(name)'", environment: ["PATH": "/usr/bin:/bin"])
            #expect(ldd.exitCode == 0)
            for library in ["libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime"] {
                #expect(!ldd.stdout.contains(library), "\(ldd.stdout)")
            }
            let check = try await Self.shell(
                "cd '\(builds)' && sha256sum -c '\(name).sha256'", environment: ["PATH": "/usr/bin:/bin"])
            #expect(check.exitCode == 0, "\(check.stdout) \(check.stderr)")

            let home = directory.path("home")
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
            // A volunteer's shell: an empty HOME, and no Swift toolchain on PATH.
            let environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
            // A fitted formula, so that a size can come from it (for a process count this machine has not measured).
            _ = try await RecommendEndToEndTests.prepare(directory.path("db.sqlite"))
            try await LiveServer.run(
                databasePath: directory.path("db.sqlite"), configure: { $0.agentBuildsPath = builds }
            ) { baseURL in
                let install = try await Self.shell(
                    "curl -fsSL \(baseURL.absoluteString)/install.sh | sh", environment: environment)
                #expect(install.exitCode == 0, "\(install.stderr)")
                let agent = home + "/.local/bin/crowdspeed-agent"
                #expect(FileManager.default.isExecutableFile(atPath: agent))

                let sweep = [
                    "run", "--yes", "--quick", "--no-discover", "--python", "/usr/bin/pypy3", "--grid", "1M,8M",
                    "--procs", "1", "--rounds", "2", "--seed", "42",
                ]
                let run = try await Self.shell(
                    ([agent] + sweep).map { "'\($0)'" }.joined(separator: " "), environment: environment)
                #expect(run.exitCode == 0, "\(run.stderr)")
                #expect(run.stdout.contains("stored as submission"), "\(run.stdout)")
                #expect(run.stdout.contains("machine page: \(baseURL.absoluteString)/machines/m-"), "\(run.stdout)")

                // Closing the loop: interleaved rounds of the default against a size, on the real pypy3,
                // submitted as a verification result.
                let verify = try await Self.shell(
                    "'\(agent)' verify --nursery 8M --rounds 2 --python /usr/bin/pypy3 --seed 7 --yes",
                    environment: environment)
                #expect(verify.exitCode == 0, "\(verify.stderr)")
                #expect(
                    verify.stdout.contains("realized gain of PYPY_GC_NURSERY=8M over PyPy's default"),
                    "\(verify.stdout)")
                #expect(verify.stdout.contains("2 paired rounds"))
                #expect(verify.stdout.contains("verification stored as "), "\(verify.stdout) \(verify.stderr)")
                // Without --nursery it asks the server it was installed from about this machine: at
                // two processes, which the sweep did not measure, the answer is the formula's.
                let asked = try await Self.shell(
                    "'\(agent)' verify --rounds 2 --procs 2 --python /usr/bin/pypy3 --yes", environment: environment)
                #expect(asked.exitCode == 0, "\(asked.stderr)")
                #expect(asked.stderr.contains("the server recommends"), "\(asked.stderr)")
                #expect(asked.stderr.contains("(formula)"), "\(asked.stderr)")
                #expect(asked.stdout.contains("verification stored as "), "\(asked.stdout) \(asked.stderr)")

                // Both are listed for this machine; the formula's shows as a realized gain of its version.
                let machine = try MachineProbe.current().machineID
                let client = HTTPClient(baseURL: baseURL)
                let listed = try await client.send("GET", "/api/v1/verifications?machine=\(machine)")
                #expect(listed.status == 200)
                let body = try JSONSerialization.jsonObject(with: listed.body) as? [String: Any]
                let entries = (body?["verifications"] as? [[String: Any]] ?? []).compactMap {
                    $0["verification"] as? [String: Any]
                }
                let kinds = entries.compactMap { ($0["size_source"] as? [String: Any])?["kind"] as? String }
                #expect(Set(kinds) == ["nursery", "formula"], "\(String(decoding: listed.body, as: UTF8.self))")
                #expect(entries.allSatisfy { ($0["round_gains"] as? [Double])?.isEmpty == false })
                let realized = body?["realized_gains"] as? [[String: Any]] ?? []
                #expect(realized.count == 1)
                let version = try #require(realized.first?["formula_version"] as? Int)
                let page = try await client.send("GET", "/formulas")
                let html = String(decoding: page.body, as: UTF8.self)
                #expect(html.contains("Realized gains from verifications"))
                #expect(
                    html.contains(#"<th scope="row" class="num">\#(version) (served)</th><td class="num">1</td>"#),
                    "\(html)")
            }
        }
    }
}
