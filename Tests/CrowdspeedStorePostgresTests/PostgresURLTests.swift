import PostgresNIO
import Testing

@testable import CrowdspeedStorePostgres

/// `postgres://` URLs: what they connect to, with which credentials, and which TLS mode.
@Suite("PostgreSQL URLs")
struct PostgresURLTests {
    @Test("a full URL: credentials decoded, loopback without TLS by default")
    func full() throws {
        let url = try PostgresURL("postgres://crowd%40speed:p%3Ass%2Fw@127.0.0.1:6543/results_db")
        #expect(url.endpoint == .tcp(host: "127.0.0.1", port: 6543))
        #expect(url.username == "crowd@speed")
        #expect(url.password == "p:ss/w")
        #expect(url.database == "results_db")
        #expect(url.sslMode == .disable)
        let configuration = url.clientConfiguration
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 6543)
        #expect(configuration.unixSocketPath == nil)
        #expect(configuration.username == "crowd@speed")
        #expect(configuration.password == "p:ss/w")
        #expect(configuration.database == "results_db")
    }

    @Test("defaults: port 5432, the user's own database, no password")
    func defaults() throws {
        let url = try PostgresURL("postgresql://crowdspeed@localhost")
        #expect(url.endpoint == .tcp(host: "localhost", port: 5432))
        #expect(url.database == "crowdspeed")
        #expect(url.password == nil)
        #expect(url.sslMode == .disable)
        #expect(url.clientConfiguration.password == nil)
    }

    @Test("an empty password stays distinct from none")
    func emptyPassword() throws {
        #expect(try PostgresURL("postgres://u:@localhost/db").password == "")
    }

    @Test("a remote host prefers TLS unless told otherwise", arguments: ["db.example.org", "10.0.0.7", "128.0.0.1"])
    func remoteDefault(host: String) throws {
        #expect(try PostgresURL("postgres://u@\(host)/db").sslMode == .prefer)
        #expect(try PostgresURL("postgres://u@\(host)/db?sslmode=disable").sslMode == .disable)
    }

    @Test("every libpq sslmode PostgresNIO can honour", arguments: PostgresURL.SSLMode.allCases)
    func sslModes(mode: PostgresURL.SSLMode) throws {
        #expect(try PostgresURL("postgres://u@db.example.org/db?sslmode=\(mode.rawValue)").sslMode == mode)
    }

    @Test("loopback addresses", arguments: ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"])
    func loopback(host: String) throws {
        let url = try PostgresURL("postgres://u@\(host):5433/db")
        #expect(url.sslMode == .disable)
        if case .tcp(let parsed, let port) = url.endpoint {
            #expect(port == 5433)
            #expect(!parsed.hasPrefix("["))
        } else {
            Issue.record("expected a TCP endpoint, got \(url.endpoint)")
        }
    }

    @Test("host=/dir in the query connects to the unix socket there")
    func unixSocket() throws {
        let url = try PostgresURL("postgres://crowdspeed@/results?host=/tmp/pg-sock/&sslmode=disable")
        #expect(url.endpoint == .unixSocket(path: "/tmp/pg-sock/.s.PGSQL.5432"))
        let configuration = url.clientConfiguration
        #expect(configuration.unixSocketPath == "/tmp/pg-sock/.s.PGSQL.5432")
        #expect(configuration.host == nil)
        #expect(
            try PostgresURL("postgres://u@:6000/db?host=/run/pg").endpoint == .unixSocket(path: "/run/pg/.s.PGSQL.6000")
        )
    }

    @Test(
        "refused URLs",
        arguments: [
            ("mysql://u@localhost/db", PostgresURLError.notPostgres(scheme: "mysql")),
            ("sqlite:/tmp/x.sqlite", .notPostgres(scheme: "sqlite")),
            ("postgres://localhost/db", .missingUser),
            ("postgres://u@/db", .missingHost),
            ("postgres://u@localhost:0/db", .badPort("0")),
            ("postgres://u@localhost/db?sslmode=allow", .unsupportedSSLMode("allow")),
            ("postgres://u@localhost/db?sslmode=requre", .unsupportedSSLMode("requre")),
            ("postgres://u@localhost/db?ssl=true", .unknownParameter("ssl")),
            ("postgres://u@/db?host=relative/dir", .badSocketDirectory("relative/dir")),
            ("postgres://u@localhost/db/extra", .malformed),
            ("not a url", .malformed),
        ])
    func refused(text: String, error: PostgresURLError) {
        #expect(throws: error) { try PostgresURL(text) }
    }

    @Test("the description masks the password")
    func description() throws {
        let url = try PostgresURL("postgres://crowdspeed:s3cret@db.example.org:5432/results?sslmode=verify-full")
        #expect(url.description == "postgres://crowdspeed:***@db.example.org:5432/results?sslmode=verify-full")
        #expect(!String(describing: url).contains("s3cret"))
    }

    @Test(
        "the connection text parses back to the same URL, password included",
        arguments: [
            "postgres://crowd%40speed:p%3Ass%2Fw@127.0.0.1:6543/results_db",
            "postgres://u:@localhost/db",
            "postgres://crowdspeed@db.example.org/results?sslmode=verify-full",
            "postgres://crowdspeed@/results?host=/run/postgresql",
        ])
    func connectionText(text: String) throws {
        let url = try PostgresURL(text)
        #expect(try PostgresURL(url.connectionText) == url)
    }
}
