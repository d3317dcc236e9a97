import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `/downloads/agent/{name}` and `/install.sh`: the builds are served with their checksums, and
/// the installer, run by the real `sh` against a live server, installs into a scratch `HOME`.
@Suite("Agent downloads and install.sh")
struct AgentDownloadsTests {
    /// This machine's build name, as install.sh computes it.
    static var hostBuildName: String {
        var system = utsname()
        uname(&system)
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        var arch = text(system.machine)
        if arch == "amd64" { arch = "x86_64" }
        if arch == "arm64" { arch = "aarch64" }
        return "crowdspeed-agent-\(text(system.sysname).lowercased())-\(arch)"
    }

    /// A directory holding one "build" (a shell script standing in for the binary) named for
    /// this machine, with its sha256sum line, or a wrong one with `corrupt`.
    static func buildsDirectory(_ directory: URL, corrupt: Bool = false) throws -> Data {
        let builds = directory.appendingPathComponent("agents")
        try FileManager.default.createDirectory(at: builds, withIntermediateDirectories: true)
        let binary = Data("#!/bin/sh\necho \"stand-in agent $*\"\n".utf8)
        let name = hostBuildName
        let file = builds.appendingPathComponent(name)
        try binary.write(to: file)
        let line =
            corrupt
            ? String(repeating: "0", count: 64) + "  \(name)\n"
            : try shell("cd '\(builds.path)' && sha256sum '\(name)'", environment: ["PATH": "/usr/bin:/bin"]).stdout
        try Data(line.utf8).write(to: builds.appendingPathComponent(name + ".sha256"))
        // A half-written build without its checksum is never offered.
        try Data("partial".utf8).write(to: builds.appendingPathComponent("crowdspeed-agent-plan9-mips"))
        return binary
    }

    /// ``shell(_:environment:)`` on a thread of its own: it waits synchronously, and on the
    /// cooperative pool it would starve the live server in this process that the script calls.
    static func detachedShell(_ script: String, environment: [String: String]) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try shell(script, environment: environment) }) }.start()
        }
    }

    /// Runs `script` with `sh -c` in `environment`; status, stdout and stderr.
    static func shell(_ script: String, environment: [String: String]) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test("builds and checksums are served at stable URLs; other names are 404 and never become paths")
    func downloads() async throws {
        let directory = try TemporaryDirectory()
        let binary = try Self.buildsDirectory(directory.url)
        let name = Self.hostBuildName
        let builds = directory.path("agents")
        try await PageHarness.run(configure: { $0.agentBuildsPath = builds }) { client, _ in
            let build = try await client.get("/downloads/agent/\(name)")
            #expect(build.status == .ok)
            #expect(build.headers[.contentType] == "application/octet-stream")
            #expect(Data(build.body.readableBytesView) == binary)
            let checksum = try await client.get("/downloads/agent/\(name).sha256")
            #expect(checksum.status == .ok)
            #expect(checksum.text.hasSuffix("  \(name)\n"))
            for bad in [
                "crowdspeed-agent-plan9-mips", "crowdspeed-agent-linux-sparc", "..%2F..%2Fetc%2Fpasswd",
                "crowdspeed-agent-linux-x86_64%2F..", "agents",
            ] {
                #expect(try await client.get("/downloads/agent/\(bad)").status == .notFound, "\(bad)")
            }
        }
    }

    @Test("install.sh carries the server's own URL and its builds, and is valid sh")
    func installScript() async throws {
        let directory = try TemporaryDirectory()
        _ = try Self.buildsDirectory(directory.url)
        let builds = directory.path("agents")
        let file = directory.path("install.sh")
        try await PageHarness.run(configure: {
            $0.agentBuildsPath = builds
            $0.publicURL = "https://crowdspeed.example.net"
        }) { client, _ in
            let response = try await client.get("/install.sh")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/x-shellscript") == true)
            let script = response.text
            #expect(script.hasPrefix("#!/bin/sh\n"))
            #expect(script.contains("server='https://crowdspeed.example.net'"))
            #expect(script.contains("builds='\(Self.hostBuildName)'"))
            #expect(!script.contains("plan9"))
            try Data(script.utf8).write(to: URL(fileURLWithPath: file))
            let syntax = try Self.shell("sh -n '\(file)'", environment: ["PATH": "/usr/bin:/bin"])
            #expect(syntax.status == 0, "\(syntax.stderr)")

            // The Submit page leads with the one-liner for this server.
            let page = try await client.get("/submit").text
            let oneLiner = "curl -fsSL https://crowdspeed.example.net/install.sh | sh"
            let install = try #require(page.range(of: oneLiner))
            let fromSource = try #require(page.range(of: "swift build -c release --product crowdspeed-agent"))
            #expect(install.lowerBound < fromSource.lowerBound)
        }
    }

    @Test("a quote in the configured URL stays inside its shell word")
    func quoting() {
        let script = InstallScript.render(server: "https://x.example/a'b;touch /tmp/pwned", builds: [])
        #expect(script.contains(#"server='https://x.example/a'\''b;touch /tmp/pwned'"#))
    }

    @Test(
        "install.sh from a live server installs into an empty HOME, verifies the checksum, and points the agent at the server"
    )
    func installsFromLiveServer() async throws {
        let directory = try TemporaryDirectory()
        _ = try Self.buildsDirectory(directory.url)
        let builds = directory.path("agents")
        let home = directory.path("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try await LiveServer.run(
            databasePath: directory.path("db.sqlite"), configure: { $0.agentBuildsPath = builds }
        ) { baseURL in
            let environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
            let run = try await Self.detachedShell(
                "curl -fsSL \(baseURL.absoluteString)/install.sh | sh", environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            let installed = home + "/.local/bin/crowdspeed-agent"
            #expect(FileManager.default.isExecutableFile(atPath: installed))
            let agent = try Self.shell("'\(installed)' run", environment: environment)
            #expect(agent.stdout == "stand-in agent run\n")
            let settings = try Data(contentsOf: URL(fileURLWithPath: home + "/.config/crowdspeed/agent.json"))
            let object = try JSONSerialization.jsonObject(with: settings) as? [String: String]
            #expect(object == ["server": baseURL.absoluteString])
            #expect(run.stderr.contains("add it to your PATH"))
        }
    }

    @Test("a wrong checksum installs nothing; a platform without a build gets the from-source steps")
    func refusals() async throws {
        let directory = try TemporaryDirectory()
        _ = try Self.buildsDirectory(directory.url, corrupt: true)
        let home = directory.path("home")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let empty = directory.path("empty")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let environment = ["HOME": home, "PATH": "/usr/bin:/bin"]
        let builds = directory.path("agents")
        try await LiveServer.run(databasePath: directory.path("db.sqlite"), configure: { $0.agentBuildsPath = builds })
        {
            baseURL in
            let run = try await Self.detachedShell(
                "curl -fsSL \(baseURL.absoluteString)/install.sh | sh", environment: environment)
            #expect(run.status != 0)
            #expect(run.stderr.contains("checksum mismatch"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: home + "/.local/bin/crowdspeed-agent"))
        }
        try await LiveServer.run(
            databasePath: directory.path("db2.sqlite"), configure: { $0.agentBuildsPath = empty }
        ) { baseURL in
            let run = try await Self.detachedShell(
                "curl -fsSL \(baseURL.absoluteString)/install.sh | sh", environment: environment)
            #expect(run.status == 1)
            #expect(run.stderr.contains("has no agent build for"), "\(run.stderr)")
            #expect(run.stderr.contains("swift build -c release --product crowdspeed-agent"))
            #expect(!FileManager.default.fileExists(atPath: home + "/.local/bin/crowdspeed-agent"))
        }
    }
}
