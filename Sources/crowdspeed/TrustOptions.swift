import ArgumentParser
import CrowdspeedServer

/// The `serve` options of the trust settings: rate limits, the proxy header, the admin token.
struct TrustOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Write requests per client address: PER_MINUTE[/BURST] or off (default 30/10; env CROWDSPEED_RATE_LIMIT).",
            valueName: "rate"))
    var rateLimit: String?

    @Option(
        help: ArgumentHelp(
            "Write requests per install token: PER_MINUTE[/BURST] or off (default 30/10; env CROWDSPEED_INSTALL_RATE_LIMIT).",
            valueName: "rate"))
    var installRateLimit: String?

    @Flag(
        help:
            "Key rate limits on the last X-Forwarded-For entry. Only behind one trusted reverse proxy (env CROWDSPEED_TRUST_FORWARDED_FOR)."
    )
    var trustForwardedFor = false

    @Option(
        help: ArgumentHelp(
            "File holding the admin token's hash from `crowdspeed admin hash-token` (env CROWDSPEED_ADMIN_TOKEN_HASH holds the hash itself). Without it the admin API is off.",
            valueName: "path"))
    var adminTokenFile: String?

    /// The library's form of these options.
    var resolved: CrowdspeedServer.Configuration.TrustOptions {
        .init(
            rateLimit: rateLimit, installRateLimit: installRateLimit, trustForwardedFor: trustForwardedFor,
            adminTokenFile: adminTokenFile)
    }
}
