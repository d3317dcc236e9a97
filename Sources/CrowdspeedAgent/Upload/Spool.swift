import Foundation

/// The on-disk queue of submissions not yet accepted by a server: `<id>.json` holds the exact
/// bytes that would have been sent, so a retry sends the same id and the server stores it once.
/// Refused ones move to `rejected/` rather than being deleted, so no measurement is ever lost.
public struct Spool: Sendable {
    public var directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `--spool DIR`, else `$XDG_DATA_HOME/crowdspeed/spool`, else `~/.local/share/crowdspeed/spool`.
    public static func defaultDirectory(environment: [String: String]) -> URL {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return URL(fileURLWithPath: data).appendingPathComponent("crowdspeed/spool")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/crowdspeed/spool")
    }

    /// Where refused submissions are kept.
    public var rejectedDirectory: URL { directory.appendingPathComponent("rejected") }

    /// Writes a payload atomically as `<id>.json` and returns its path.
    @discardableResult
    public func store(_ payload: Data, id: UUID) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("\(id.uuidString.lowercased()).json")
        try payload.write(to: url, options: .atomic)
        return url
    }

    /// The spooled payload files, oldest first.
    public func pending() -> [URL] {
        let urls =
            (try? FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return urls.filter { $0.pathExtension == "json" }.sorted {
            let a =
                (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let b =
                (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return (a, $0.lastPathComponent) < (b, $1.lastPathComponent)
        }
    }

    /// Removes a payload the server accepted.
    public func remove(_ url: URL) throws {
        try FileManager.default.removeItem(at: url)
    }

    /// Moves a payload the server refused to `rejected/` and returns its new path.
    @discardableResult
    public func reject(_ url: URL) throws -> URL {
        try FileManager.default.createDirectory(at: rejectedDirectory, withIntermediateDirectories: true)
        let target = rejectedDirectory.appendingPathComponent(url.lastPathComponent)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.moveItem(at: url, to: target)
        return target
    }

    /// Writes a payload straight to `rejected/`.
    @discardableResult
    public func storeRejected(_ payload: Data, id: UUID) throws -> URL {
        try FileManager.default.createDirectory(at: rejectedDirectory, withIntermediateDirectories: true)
        let url = rejectedDirectory.appendingPathComponent("\(id.uuidString.lowercased()).json")
        try payload.write(to: url, options: .atomic)
        return url
    }
}
