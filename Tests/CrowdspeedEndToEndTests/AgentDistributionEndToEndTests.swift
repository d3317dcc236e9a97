import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// Issue 15's "from nothing to a recommendation": `scripts/build-agent` makes the
    /// self-contained release build, the live server offers it, and `install.sh` installs it
    /// into an empty HOME with no Swift toolchain on PATH, where it sweeps the real pypy3 and
    /// uploads without `--server`.
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
            "build-agent makes a stripped static build with its checksum; install.sh installs it; it runs pypy3 and uploads",
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

                // Closing the loop: interleaved rounds of the default against a size, on the real pypy3.
                let verify = try await Self.shell(
                    "'\(agent)' verify --nursery 8M --rounds 2 --python /usr/bin/pypy3 --seed 7",
                    environment: environment)
                #expect(verify.exitCode == 0, "\(verify.stderr)")
                #expect(
                    verify.stdout.contains("realized gain of PYPY_GC_NURSERY=8M over PyPy's default"),
                    "\(verify.stdout)")
                #expect(verify.stdout.contains("2 paired rounds"))
                // Without --nursery it asks the server it was installed from about this machine.
                let asked = try await Self.shell(
                    "'\(agent)' verify --rounds 2 --python /usr/bin/pypy3", environment: environment)
                #expect(asked.exitCode == 0, "\(asked.stderr)")
                #expect(asked.stderr.contains("the server recommends"), "\(asked.stderr)")
            }
        }
    }
}
