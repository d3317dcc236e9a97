import Foundation

/// Remembers which servers the user agreed to upload to, in a small JSON file, so the consent
/// question is asked once per server.
public struct ConsentStore: Sendable {
    public var file: URL

    public init(file: URL) {
        self.file = file
    }

    /// `$XDG_STATE_HOME/crowdspeed/consent.json`, else `~/.local/state/crowdspeed/consent.json`.
    public static func defaultFile(environment: [String: String]) -> URL {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("crowdspeed/consent.json")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/state/crowdspeed/consent.json")
    }

    private struct Contents: Codable {
        var servers: [String]
    }

    /// Whether uploads to `server` were agreed to.
    public func hasConsent(for server: URL) -> Bool {
        load().contains(Self.key(server))
    }

    /// Records consent for `server`.
    public func grant(for server: URL) throws {
        var servers = load()
        guard !servers.contains(Self.key(server)) else { return }
        servers.append(Self.key(server))
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONEncoder().encode(Contents(servers: servers)).write(to: file, options: .atomic)
    }

    private func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: file.path),
            let contents = try? JSONDecoder().decode(Contents.self, from: data)
        else { return [] }
        return contents.servers
    }

    /// Servers compare without a trailing slash.
    static func key(_ server: URL) -> String {
        var text = server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
