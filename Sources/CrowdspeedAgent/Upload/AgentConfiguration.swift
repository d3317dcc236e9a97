import Foundation

/// The agent's settings file, `agent.json`: today only the default server, written by the
/// server's `/install.sh` so that `crowdspeed-agent run` needs no `--server`. A `--server` given
/// on the command line always wins.
public struct AgentConfiguration: Codable, Sendable, Equatable {
    /// The server to submit to when `--server` is absent.
    public var server: String?

    /// Creates a configuration.
    public init(server: String? = nil) {
        self.server = server
    }

    /// `$XDG_CONFIG_HOME/crowdspeed/agent.json` (an absolute XDG path only), else
    /// `~/.config/crowdspeed/agent.json`.
    public static func defaultFile(environment: [String: String]) -> URL {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return URL(fileURLWithPath: config).appendingPathComponent("crowdspeed/agent.json")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".config/crowdspeed/agent.json")
    }

    /// The file's settings; nil when it does not exist.
    /// - Throws: ``AgentConfigurationError`` when it exists but is not a valid settings file, so
    ///   a typo is reported instead of silently ignored.
    public static func load(from file: URL) throws -> AgentConfiguration? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return nil }
        do {
            return try JSONDecoder().decode(AgentConfiguration.self, from: data)
        } catch {
            throw AgentConfigurationError(
                file: file.path, reason: "is not a JSON object like {\"server\": \"https://…\"}")
        }
    }

    /// Writes the file (creating its directory), whole or not at all.
    public func save(to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: file, options: .atomic)
    }
}

/// A settings file that cannot be read.
public struct AgentConfigurationError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var reason: String

    public var description: String { "\(file) \(reason)" }
}
