import CrowdspeedServer
import CrowdspeedStorePostgres
import Testing

/// `serve`'s database and formula-refresh settings.
@Suite("Configuration: database")
struct DatabaseConfigurationTests {
    @Test("--database-url and CROWDSPEED_DATABASE_URL choose PostgreSQL; --db keeps meaning the SQLite file")
    func location() throws {
        let postgres = try PostgresURL("postgres://app@db.example/crowd")
        var options = Configuration.Options()
        options.databaseURL = "postgres://app@db.example/crowd"
        #expect(try Configuration.resolve(options, environment: [:]).database == .postgres(postgres))
        #expect(try Configuration.resolve(options, environment: [:]).databasePath == nil)
        let fromEnvironment = try Configuration.resolve(
            .init(), environment: ["CROWDSPEED_DATABASE_URL": "postgres://app@db.example/crowd"])
        #expect(fromEnvironment.database == .postgres(postgres))
        let file = try Configuration.resolve(
            .init(databasePath: "here.sqlite"),
            environment: ["CROWDSPEED_DATABASE_URL": "postgres://app@db.example/crowd"])
        #expect(file.database == .sqlite(path: "here.sqlite"))
    }

    @Test("conflicting database options, a bad URL, and --demo on PostgreSQL are refused")
    func refusals() {
        var both = Configuration.Options(databasePath: "a.sqlite")
        both.databaseURL = "sqlite:b.sqlite"
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(both, environment: [:]) }
        var bad = Configuration.Options()
        bad.databaseURL = "mysql://app@db/crowd"
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(bad, environment: [:]) }
        var demo = Configuration.Options(demo: true)
        demo.databaseURL = "postgres://app@db.example/crowd"
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(demo, environment: [:]) }
    }

    @Test("--formula-refresh: default 2 s, 0 allowed, beyond 5 min refused")
    func formulaRefresh() throws {
        #expect(try Configuration.resolve(.init(), environment: [:]).formulaRefreshInterval == .seconds(2))
        var options = Configuration.Options()
        options.formulaRefresh = "0"
        #expect(try Configuration.resolve(options, environment: [:]).formulaRefreshInterval == .zero)
        #expect(
            try Configuration.resolve(.init(), environment: ["CROWDSPEED_FORMULA_REFRESH": "500ms"])
                .formulaRefreshInterval == .milliseconds(500))
        options.formulaRefresh = "10m"
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(options, environment: [:]) }
    }
}
