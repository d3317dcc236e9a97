import CrowdspeedTestSupport
import CrowdspeedCore
import CrowdspeedServer
import Logging
import Testing

/// How `crowdspeed serve` turns options and environment into a ``Configuration``.
@Suite("Configuration")
struct ConfigurationTests {
    @Test("defaults: loopback, 8080, ./crowdspeed.sqlite, info, not durable")
    func defaults() throws {
        let configuration = try Configuration.resolve(.init(), environment: [:])
        #expect(configuration == Configuration())
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.databasePath == "./crowdspeed.sqlite")
        #expect(configuration.logLevel == .info)
        #expect(configuration.durable == false)
    }

    @Test("the environment fills what options leave out; options win")
    func precedence() throws {
        let environment = [
            "CROWDSPEED_DB": "/var/lib/crowdspeed/db.sqlite", "CROWDSPEED_HOST": "0.0.0.0", "CROWDSPEED_PORT": "9000",
            "CROWDSPEED_LOG_LEVEL": "DEBUG", "CROWDSPEED_DURABLE": "1",
        ]
        let fromEnvironment = try Configuration.resolve(.init(), environment: environment)
        #expect(fromEnvironment.databasePath == "/var/lib/crowdspeed/db.sqlite")
        #expect(fromEnvironment.host == "0.0.0.0")
        #expect(fromEnvironment.port == 9000)
        #expect(fromEnvironment.logLevel == .debug)
        #expect(fromEnvironment.durable)

        let fromOptions = try Configuration.resolve(
            .init(databasePath: "here.sqlite", host: "::1", port: 0, logLevel: "warning"), environment: environment)
        #expect(fromOptions.databasePath == "here.sqlite")
        #expect(fromOptions.host == "::1")
        #expect(fromOptions.port == 0)
        #expect(fromOptions.logLevel == .warning)
    }

    @Test("refit settings: --refit-interval and --refit-after over their variables over 300s and 20")
    func refitSettings() throws {
        #expect(
            try Configuration.resolve(.init(), environment: [:]).refit
                == RefitService.Settings(interval: .seconds(300), minimumNewSubmissions: 20))
        let environment = ["CROWDSPEED_REFIT_INTERVAL": "2m", "CROWDSPEED_REFIT_AFTER": "5"]
        let fromEnvironment = try Configuration.resolve(.init(), environment: environment)
        #expect(fromEnvironment.refit.interval == .seconds(120))
        #expect(fromEnvironment.refit.minimumNewSubmissions == 5)
        var options = Configuration.Options()
        options.refitInterval = "300s"
        options.refitAfter = "20"
        let fromOptions = try Configuration.resolve(options, environment: environment)
        #expect(fromOptions.refit == RefitService.Settings(interval: .seconds(300), minimumNewSubmissions: 20))
        for (text, duration) in [
            ("90", Duration.seconds(90)), ("1500ms", .milliseconds(1500)), ("1.5h", .seconds(5400)),
            ("1d", .seconds(86_400)),
        ] {
            #expect(DurationText.parse(text) == duration, "\(text)")
        }
    }

    @Test(
        "unusable refit settings are refused with the option and variable named",
        arguments: [
            ("--refit-interval", "soon"), ("--refit-interval", "0s"), ("--refit-interval", "-5s"),
            ("--refit-interval", "30d"),
            ("--refit-interval", "5 minutes"), ("--refit-after", "0"), ("--refit-after", "-1"),
            ("--refit-after", "many"),
        ])
    func refusesBadRefitSettings(_ option: String, _ value: String) {
        var options = Configuration.Options()
        if option == "--refit-interval" { options.refitInterval = value } else { options.refitAfter = value }
        let variable = option == "--refit-interval" ? "CROWDSPEED_REFIT_INTERVAL" : "CROWDSPEED_REFIT_AFTER"
        for (options, environment) in [(options, [String: String]()), (Configuration.Options(), [variable: value])] {
            #expect {
                _ = try Configuration.resolve(options, environment: environment)
            } throws: { error in
                let message = (error as? ConfigurationError)?.description ?? ""
                return message.contains(option) && message.contains(variable) && message.contains("'\(value)'")
            }
        }
    }

    @Test(
        "unusable values are refused with the option and variable named",
        arguments: [
            (Configuration.Options(port: 70_000), [String: String](), "--port"),
            (.init(), ["CROWDSPEED_PORT": "http"], "CROWDSPEED_PORT"),
            (.init(logLevel: "loud"), [:], "--log-level"),
            (.init(databasePath: ""), [:], "--db"),
            (.init(), ["CROWDSPEED_HOST": ""], "CROWDSPEED_HOST"),
        ])
    func refusesBadValues(_ options: Configuration.Options, _ environment: [String: String], _ named: String) {
        #expect {
            _ = try Configuration.resolve(options, environment: environment)
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(named) == true
        }
    }

    @Test("the origin key sits beside the database unless CROWDSPEED_ORIGIN_KEY_FILE names a file; empty is refused")
    func originKeyFile() throws {
        let beside = try Configuration.resolve(.init(databasePath: "/srv/cs/db.sqlite"), environment: [:])
        #expect(beside.originKeyFile == nil && beside.originKeyPath == "/srv/cs/db.sqlite.origin-key")
        let named = try Configuration.resolve(
            .init(databasePath: "/srv/cs/db.sqlite"), environment: ["CROWDSPEED_ORIGIN_KEY_FILE": "/etc/cs/origin.key"])
        #expect(named.originKeyPath == "/etc/cs/origin.key")
        #expect {
            try Configuration.resolve(.init(), environment: ["CROWDSPEED_ORIGIN_KEY_FILE": ""])
        } throws: { error in
            (error as? ConfigurationError)?.description.contains("CROWDSPEED_ORIGIN_KEY_FILE") == true
        }
    }
}
