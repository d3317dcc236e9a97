import CrowdspeedCore
import Foundation
import Testing

@testable import CrowdspeedAgent

/// What a single downloaded agent needs to carry and read: the workloads embedded in it, and
/// the settings file install.sh writes.
@Suite struct SelfContainedAgentTests {
    /// The source tree's `Workloads` directory.
    static let sourceWorkloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/CrowdspeedAgent/Workloads")

    @Test("the embedded workloads are byte for byte the scripts in the source tree, written out once by content")
    func embeddedWorkloads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.sourceWorkloads.path)
            .filter { $0.hasSuffix(".py") }.sorted()
        #expect(EmbeddedWorkloads.files.map(\.name) == names)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cs-wl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let scripts = try WorkloadScripts.bundled(in: scratch)
        for name in names {
            let written = try Data(
                contentsOf: URL(fileURLWithPath: scripts.gcbenchPath).deletingLastPathComponent()
                    .appendingPathComponent(name))
            #expect(written == (try Data(contentsOf: Self.sourceWorkloads.appendingPathComponent(name))), "\(name)")
        }
        // A second call reuses the same directory.
        #expect(try WorkloadScripts.bundled(in: scratch).gcbenchPath == scripts.gcbenchPath)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).count == 1)
    }

    @Test("agent.json: XDG then ~/.config, round trip, absent is nil, garbage is an error")
    func settingsFile() throws {
        #expect(
            AgentConfiguration.defaultFile(environment: ["HOME": "/home/v"]).path
                == "/home/v/.config/crowdspeed/agent.json")
        #expect(
            AgentConfiguration.defaultFile(environment: ["HOME": "/home/v", "XDG_CONFIG_HOME": "/cfg"]).path
                == "/cfg/crowdspeed/agent.json")
        #expect(
            AgentConfiguration.defaultFile(environment: ["HOME": "/home/v", "XDG_CONFIG_HOME": "relative"]).path
                == "/home/v/.config/crowdspeed/agent.json")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cs-cfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("crowdspeed/agent.json")
        #expect(try AgentConfiguration.load(from: file) == nil)
        try AgentConfiguration(server: "http://127.0.0.1:8080").save(to: file)
        #expect(try AgentConfiguration.load(from: file)?.server == "http://127.0.0.1:8080")
        // What install.sh writes.
        try Data(#"{"server":"https://crowdspeed.example.net"}"#.utf8).write(to: file)
        #expect(try AgentConfiguration.load(from: file)?.server == "https://crowdspeed.example.net")
        try Data("server = x".utf8).write(to: file)
        #expect(throws: AgentConfigurationError.self) { try AgentConfiguration.load(from: file) }
    }
}
