import CrowdspeedCore
import Foundation

/// The agent's memory of what servers gave it: one install token per server, and one receipt
/// per stored submission with its deletion token, so `crowdspeed-agent delete ID` works later.
///
/// Kept next to the consent file (`$XDG_STATE_HOME/crowdspeed/receipts.json`, else
/// `~/.local/state/crowdspeed/receipts.json`), written atomically and readable by the user only:
/// it holds bearer secrets.
public struct ReceiptStore: Sendable {
    public var file: URL

    public init(file: URL) {
        self.file = file
    }

    /// The default file, beside ``ConsentStore/defaultFile(environment:)``.
    public static func defaultFile(environment: [String: String]) -> URL {
        ConsentStore.defaultFile(environment: environment).deletingLastPathComponent().appendingPathComponent(
            "receipts.json")
    }

    /// One stored submission, as the server acknowledged it.
    public struct Receipt: Codable, Sendable, Equatable {
        public var id: UUID
        /// The server URL without a trailing slash.
        public var server: String
        public var machineID: String
        /// Nil when the server sent none (a repeat from another install, an older server).
        public var deletionToken: String?
        public var storedAt: Date

        public init(id: UUID, server: String, machineID: String, deletionToken: String?, storedAt: Date) {
            self.id = id
            self.server = server
            self.machineID = machineID
            self.deletionToken = deletionToken
            self.storedAt = storedAt
        }

        enum CodingKeys: String, CodingKey {
            case id, server
            case machineID = "machine_id"
            case deletionToken = "deletion_token"
            case storedAt = "stored_at"
        }
    }

    /// The file's contents.
    struct Contents: Codable {
        /// Install token per server.
        var installs: [String: String] = [:]
        var receipts: [Receipt] = []
    }

    /// The install token this agent holds for `server`, nil before its first upload there.
    public func installToken(for server: URL) -> String? {
        load().installs[ConsentStore.key(server)]
    }

    /// The receipt of submission `id`, nil when this agent has none.
    public func receipt(id: UUID) -> Receipt? {
        load().receipts.last { $0.id == id }
    }

    /// Records a server's receipt: its install token (when it issued one) and, when it carries a
    /// deletion token, the receipt (replacing an older one for the same id and server).
    public func record(_ receipt: SubmissionReceipt, server: URL, at date: Date = Date()) throws {
        var contents = load()
        let key = ConsentStore.key(server)
        if let token = receipt.installToken { contents.installs[key] = token }
        if let deletion = receipt.deletionToken {
            contents.receipts.removeAll { $0.id == receipt.id && $0.server == key }
            contents.receipts.append(
                Receipt(
                    id: receipt.id, server: key, machineID: receipt.machineID, deletionToken: deletion, storedAt: date))
        }
        try save(contents)
    }

    /// Forgets the receipt of a deleted submission.
    public func remove(id: UUID, server: URL) throws {
        var contents = load()
        contents.receipts.removeAll { $0.id == id && $0.server == ConsentStore.key(server) }
        try save(contents)
    }

    private func load() -> Contents {
        guard let data = FileManager.default.contents(atPath: file.path),
            let contents = try? WireCoding.makeDecoder().decode(Contents.self, from: data)
        else { return Contents() }
        return contents
    }

    private func save(_ contents: Contents) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try WireCoding.makeEncoder(pretty: true).encode(contents).write(to: file, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }
}
