import Crypto
import CrowdspeedCore
import CrowdspeedStore
import Foundation
import Synchronization

/// The public snapshot the server currently offers at `/data/crowdspeed-snapshot.sqlite`: the
/// file, when it was made, its size, its SHA-256 and what it holds.
///
/// Its description is kept beside the file (`crowdspeed-snapshot.json`), so a restarted server
/// offers the previous snapshot at once and knows when the next one is due.
public struct PublishedSnapshot: Sendable, Equatable, Codable {
    public var createdAt: Date
    public var bytes: Int64
    /// Lowercase hex SHA-256 of the file, as `sha256sum` prints it.
    public var sha256: String
    public var contents: SnapshotSummary

    /// The served file's name.
    public static let fileName = "crowdspeed-snapshot.sqlite"
    /// The description's name, beside the file.
    public static let descriptionName = "crowdspeed-snapshot.json"

    /// The download's dated file name (`crowdspeed-snapshot-2026-11-30.sqlite`), so successive
    /// downloads do not overwrite each other.
    public var downloadName: String {
        "crowdspeed-snapshot-\(RFC3339.format(createdAt).prefix(10)).sqlite"
    }

    /// The description in `directory`, when it is there, readable, and matches the file's size
    /// (a crash between writing the file and its description leaves a mismatch: ignored, so the
    /// next run rebuilds both).
    static func load(from directory: String) -> PublishedSnapshot? {
        let description = URL(fileURLWithPath: directory).appendingPathComponent(descriptionName)
        guard let data = try? Data(contentsOf: description),
            let snapshot = try? Self.decoder.decode(PublishedSnapshot.self, from: data),
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + fileName),
            (attributes[.size] as? NSNumber)?.int64Value == snapshot.bytes
        else { return nil }
        return snapshot
    }

    /// Writes the description into `directory`, atomically.
    func save(in directory: String) throws {
        let description = URL(fileURLWithPath: directory).appendingPathComponent(Self.descriptionName)
        try Self.encoder.encode(self).write(to: description, options: .atomic)
    }

    /// The SHA-256 and size of the file at `path`, read in 1 MiB pieces (a snapshot of a large
    /// database does not fit in memory comfortably).
    static func digest(ofFileAt path: String) throws -> (sha256: String, bytes: Int64) {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), bytes)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// The snapshot on offer, shared by the publisher (which replaces it) and the routes (which
/// read it).
public final class SnapshotShelf: Sendable {
    /// The directory the snapshot and its description live in.
    public let directory: String
    private let current: Mutex<PublishedSnapshot?>

    /// A shelf over `directory`, holding the snapshot already there, if any.
    public init(directory: String) {
        self.directory = directory
        current = Mutex(PublishedSnapshot.load(from: directory))
    }

    /// The snapshot on offer, nil before the first one is made.
    public var snapshot: PublishedSnapshot? { current.withLock { $0 } }

    /// The path of the offered file.
    public var filePath: String { directory + "/" + PublishedSnapshot.fileName }

    func offer(_ snapshot: PublishedSnapshot) {
        current.withLock { $0 = snapshot }
    }
}
