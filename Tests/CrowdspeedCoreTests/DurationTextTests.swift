import CrowdspeedCore
import Testing

/// The one duration syntax of `--refit-interval` and the agent's `--budget`.
@Suite("Duration text")
struct DurationTextTests {
    @Test(
        "units, compounds and bare seconds",
        arguments: [
            ("90", Duration.seconds(90)), ("1500ms", .milliseconds(1500)), ("1.5h", .seconds(5400)),
            ("1d", .seconds(86_400)), ("1h30m", .seconds(5400)), (" 20m ", .seconds(1200)), ("0s", .zero),
            ("2m30s", .seconds(150)),
        ])
    func parses(text: String, duration: Duration) {
        #expect(DurationText.parse(text) == duration)
    }

    @Test(
        "anything else is refused",
        arguments: ["", "soon", "-5s", "5 minutes", "1x", "s", "1e3", "1..5s", "5m-", "99999999999d"])
    func refuses(text: String) {
        #expect(DurationText.parse(text) == nil)
    }
}
