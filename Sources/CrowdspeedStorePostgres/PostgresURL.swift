import Foundation
import PostgresNIO

/// A `postgres://` database URL, as `--database-url` and `CROWDSPEED_DATABASE_URL` take it, parsed
/// into what PostgresNIO's client needs.
///
/// The form is libpq's URI form, restricted to what Crowdspeed uses:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE][&host=/socket/dir]`
/// (`postgresql://` too). User, password and database are percent-decoded; the port defaults to
/// 5432 and the database to the user's name, as in libpq. `host=/dir` in the query connects to
/// the unix socket `/dir/.s.PGSQL.PORT` instead of TCP (the host part may then be empty).
///
/// `sslmode` keeps libpq's meaning: `disable`; `prefer` and `require` encrypt without checking
/// the server's certificate; `verify-ca` checks the chain; `verify-full` also checks the host
/// name. Without it, a loopback host (`localhost`, 127.0.0.0/8, `::1`) or a unix socket gets
/// `disable` and any other host `prefer`, libpq's default. `allow` (which libpq tries in the
/// other order) is refused, as are unknown query parameters, so that a misspelt `sslmode` never
/// silently weakens a connection.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode` values that PostgresNIO can honour.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Where the server listens.
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The full path of the socket file (`DIR/.s.PGSQL.PORT`).
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var username: String
    /// nil when the URL has none (trust or peer authentication); `""` is an empty password.
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    /// Parses `text`.
    /// - Throws: ``PostgresURLError`` naming what is wrong (never quoting the password).
    public init(_ text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .malformed
        }
        guard scheme == "postgres" || scheme == "postgresql" else { throw .notPostgres(scheme: scheme) }
        guard let user = components.user, !user.isEmpty else { throw .missingUser }
        username = user
        password = components.password

        var path = components.path
        if path.hasPrefix("/") { path.removeFirst() }
        guard !path.contains("/") else { throw .malformed }
        database = path.isEmpty ? user : path

        var socketDirectory: String?
        var mode: SSLMode?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let parsed = SSLMode(rawValue: value) else {
                    throw .unsupportedSSLMode(item.value ?? "")
                }
                mode = parsed
            case "host":
                guard let value = item.value, value.hasPrefix("/") else {
                    throw .badSocketDirectory(item.value ?? "")
                }
                socketDirectory = value
            default:
                throw .unknownParameter(item.name)
            }
        }

        let port: Int
        if let given = components.port {
            guard (1...65535).contains(given) else { throw .badPort(String(given)) }
            port = given
        } else {
            port = 5432
        }

        if let socketDirectory {
            let directory = socketDirectory.hasSuffix("/") ? String(socketDirectory.dropLast()) : socketDirectory
            endpoint = .unixSocket(path: "\(directory)/.s.PGSQL.\(port)")
        } else {
            guard var host = components.host, !host.isEmpty else { throw .missingHost }
            // An IPv6 literal keeps its brackets in some Foundation versions.
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            endpoint = .tcp(host: host, port: port)
        }
        sslMode = mode ?? (Self.isLocal(endpoint) ? .disable : .prefer)
    }

    /// Whether the endpoint is this machine: a unix socket or a loopback address.
    static func isLocal(_ endpoint: Endpoint) -> Bool {
        switch endpoint {
        case .unixSocket:
            return true
        case .tcp(let host, _):
            let lowered = host.lowercased()
            if lowered == "localhost" || lowered == "::1" { return true }
            let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        }
    }

    /// The configuration of a `PostgresClient` for this URL (default pool options).
    public var clientConfiguration: PostgresClient.Configuration {
        switch endpoint {
        case .tcp(let host, let port):
            return PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .unixSocket(let path):
            // TLS over a local socket has no use; PostgreSQL does not offer it there.
            var configuration = PostgresClient.Configuration(
                unixSocketPath: path, username: username, password: password, database: database)
            configuration.tls = .disable
            return configuration
        }
    }

    /// The client TLS setting `sslMode` stands for.
    private var tls: PostgresClient.Configuration.TLS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable:
            return .disable
        case .prefer:
            configuration.certificateVerification = .none
            return .prefer(configuration)
        case .require:
            configuration.certificateVerification = .none
            return .require(configuration)
        case .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            return .require(configuration)
        }
    }

    /// The URL with the password masked, for logs and error messages.
    public var description: String { rendered(password: password.map { _ in "***" }) }

    /// The URL in full, password included: for handing to a child process, never for logs.
    public var connectionText: String { rendered(password: password.map(Self.encode)) }

    private func rendered(password shown: String?) -> String {
        let credentials = shown.map { "\(Self.encode(username)):\($0)" } ?? Self.encode(username)
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "postgres://\(credentials)@\(shownHost):\(port)/\(Self.encode(database))?sslmode=\(sslMode.rawValue)"
        case .unixSocket(let path):
            // Back to the directory and port the socket file's name was made from.
            guard let marker = path.range(of: "/.s.PGSQL.", options: .backwards) else {
                return "postgres://\(credentials)@/\(Self.encode(database))?host=\(path)"
            }
            return
                "postgres://\(credentials)@:\(path[marker.upperBound...])/\(Self.encode(database))?host=\(path[..<marker.lowerBound])"
        }
    }

    private static func encode(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? part
    }
}

/// Why a database URL was refused.
public enum PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    case notPostgres(scheme: String)
    case missingUser
    case missingHost
    case badPort(String)
    case unsupportedSSLMode(String)
    case badSocketDirectory(String)
    case unknownParameter(String)

    public var description: String {
        switch self {
        case .malformed:
            return "not a database URL of the form postgres://user[:password]@host[:port]/database"
        case .notPostgres(let scheme):
            return "the URL scheme is \(scheme), expected postgres or postgresql"
        case .missingUser:
            return "the URL names no user (postgres://USER@host/database)"
        case .missingHost:
            return "the URL names no host (postgres://user@HOST/database, or ?host=/socket/directory)"
        case .badPort(let port):
            return "the port \(port) is not between 1 and 65535"
        case .unsupportedSSLMode(let mode):
            return "sslmode=\(mode) is not supported (disable, prefer, require, verify-ca, verify-full)"
        case .badSocketDirectory(let value):
            return "host=\(value) is not an absolute socket directory"
        case .unknownParameter(let name):
            return "unknown URL parameter \(name) (supported: sslmode, host)"
        }
    }
}
