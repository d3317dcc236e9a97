import Foundation

/// One numbered migration file as a runner applies it: its id, its SQL text and a checksum.
///
/// Both backends name their files `NNNN_name.sql` with the same ids, so that a database can be
/// compared with either folder by name; the checksum is taken over the file's own bytes, so each
/// backend detects an edit to its own shipped files.
public struct MigrationFile: Sendable, Equatable {
    /// The file name without `.sql`, e.g. `0001_initial`: what `schema_migrations` records.
    public var name: String
    public var sql: String
    /// 64-bit FNV-1a of the text's UTF-8 bytes, as `fnv1a64:` and 16 hex digits (the same form
    /// the SQLite runner records).
    public var checksum: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        self.checksum = "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The `.sql` files of `directory`, sorted by name (the order they apply in).
    /// - Throws: ``MigrationFileError/badFileName(_:)`` for a `.sql` file not named
    ///   `NNNN_name.sql`, so a misnamed file fails loudly instead of being skipped.
    public static func load(from directory: URL) throws -> [MigrationFile] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        return try files.map { file in
            let name = file.deletingPathExtension().lastPathComponent
            guard isValidName(name) else { throw MigrationFileError.badFileName(file.lastPathComponent) }
            return MigrationFile(name: name, sql: try String(contentsOf: file, encoding: .utf8))
        }
        .sorted { $0.name < $1.name }
    }

    /// `NNNN_name`: four digits, an underscore, then lowercase letters, digits and underscores.
    public static func isValidName(_ name: String) -> Bool {
        let chars = Array(name.utf8)
        guard chars.count > 5, chars[4] == UInt8(ascii: "_") else { return false }
        return chars[0..<4].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
            && chars[5...].allSatisfy {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || $0 == UInt8(ascii: "_")
            }
    }
}

/// A problem with the migration files themselves.
public enum MigrationFileError: Error, Sendable, Equatable {
    /// A `.sql` file in a migrations folder is not named `NNNN_name.sql`.
    case badFileName(String)
}
