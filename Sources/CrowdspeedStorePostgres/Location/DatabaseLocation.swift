import Foundation

/// Which database a server or command works on: the embedded SQLite file (the default) or a
/// PostgreSQL server that several server instances share.
///
/// Written as `--database-url` / `CROWDSPEED_DATABASE_URL` take it: `sqlite:PATH` or a
/// `postgres://` / `postgresql://` URL (``PostgresURL``). `--db PATH` / `CROWDSPEED_DB` keep
/// naming the SQLite file, so existing set-ups and scripts are unchanged.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// The SQLite database file at `path`.
    case sqlite(path: String)
    /// A PostgreSQL database.
    case postgres(PostgresURL)

    /// The environment variable holding a database URL.
    public static let urlVariable = "CROWDSPEED_DATABASE_URL"
    /// The environment variable holding a SQLite path (what `--db` takes).
    public static let pathVariable = "CROWDSPEED_DB"
    /// The SQLite file used when nothing names a database.
    public static let defaultPath = "./crowdspeed.sqlite"

    /// Parses a database URL: `sqlite:PATH` (also `sqlite://PATH`) or `postgres(ql)://…`.
    /// - Throws: ``DatabaseLocationError`` naming what is wrong (never quoting a password).
    public init(url text: String) throws(DatabaseLocationError) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            // `sqlite:///abs/path` and `sqlite://rel` are common spellings of the same thing.
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw .emptyPath(text) }
            self = .sqlite(path: path)
        } else if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") {
            do {
                self = .postgres(try PostgresURL(text))
            } catch {
                throw .badPostgresURL(error)
            }
        } else {
            throw .unknownScheme
        }
    }

    /// The location in force: `--database-url` or `--db` (never both), else
    /// `CROWDSPEED_DATABASE_URL` or `CROWDSPEED_DB` (never both), else ``defaultPath``. An option
    /// wins over the environment, as every other option does.
    ///
    /// - Parameters:
    ///   - databaseURL: `--database-url`, nil when not given.
    ///   - databasePath: `--db`, nil when not given.
    ///   - environment: the process environment.
    /// - Throws: ``DatabaseLocationError/conflicting(_:)`` when two sources at one level name a
    ///   database, and the parse errors of ``init(url:)``.
    public static func resolve(databaseURL: String?, databasePath: String?, environment: [String: String])
        throws(DatabaseLocationError) -> DatabaseLocation
    {
        if databaseURL != nil || databasePath != nil {
            return try pick(url: databaseURL, path: databasePath, names: ("--database-url", "--db"))
        }
        let fromEnvironment = (url: environment[urlVariable], path: environment[pathVariable])
        if fromEnvironment.url != nil || fromEnvironment.path != nil {
            return try pick(url: fromEnvironment.url, path: fromEnvironment.path, names: (urlVariable, pathVariable))
        }
        return .sqlite(path: defaultPath)
    }

    private static func pick(url: String?, path: String?, names: (url: String, path: String))
        throws(DatabaseLocationError) -> DatabaseLocation
    {
        switch (url, path) {
        case (.some, .some):
            throw .conflicting("\(names.url) and \(names.path) both name a database; give one of them")
        case (.some(let url), nil):
            return try DatabaseLocation(url: url)
        case (nil, .some(let path)):
            guard !path.isEmpty else { throw .emptyPath(names.path) }
            return .sqlite(path: path)
        case (nil, nil):
            return .sqlite(path: defaultPath)
        }
    }

    /// The SQLite path, nil for PostgreSQL.
    public var sqlitePath: String? {
        if case .sqlite(let path) = self { return path }
        return nil
    }

    /// For logs and messages: the path, or the URL with its password masked.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): url.description
        }
    }
}

/// Why a database location was refused.
public enum DatabaseLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither `sqlite:` nor `postgres://`.
    case unknownScheme
    /// `sqlite:` with no path, or an empty `--db`; carries what was given.
    case emptyPath(String)
    case badPostgresURL(PostgresURLError)
    /// Two options (or variables) name a database.
    case conflicting(String)

    public var description: String {
        switch self {
        case .unknownScheme:
            return "a database URL starts with sqlite: (sqlite:PATH) or postgres:// (postgres://user@host:port/db)"
        case .emptyPath(let given):
            return "\(given) names no SQLite file"
        case .badPostgresURL(let error):
            return "bad PostgreSQL URL: \(error)"
        case .conflicting(let message):
            return message
        }
    }
}
