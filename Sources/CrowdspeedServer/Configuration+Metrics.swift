import Foundation

extension Configuration {
    /// Where the Prometheus metrics are served.
    public enum MetricsEndpoint: Sendable, Equatable {
        /// No metrics are recorded and `/metrics` is 404.
        case off
        /// `/metrics` on the main listener, beside the API (the default).
        case main
        /// `/metrics` only on a second listener at this address (for instance a private interface
        /// the scraper reaches while the API is public); the main listener answers 404 for it.
        case separate(host: String, port: Int)
    }

    /// The environment equivalents of `--metrics` and `--metrics-address`.
    public enum MetricsEnvironmentKey {
        public static let metrics = "CROWDSPEED_METRICS"
        public static let address = "CROWDSPEED_METRICS_ADDRESS"
    }

    /// Resolves `--metrics on|off` and `--metrics-address HOST:PORT` (an option over its variable).
    ///
    /// - Throws: ``ConfigurationError`` for a value other than on/off, or an address without a
    ///   host or a valid port; and when an address is given with metrics off (a contradiction the
    ///   operator should hear about rather than have silently resolved).
    static func resolveMetrics(
        enabled: String?, address: String?, environment: [String: String], into configuration: inout Configuration
    ) throws(ConfigurationError) {
        var on = true
        if let text = enabled ?? environment[MetricsEnvironmentKey.metrics] {
            switch text.lowercased() {
            case "on", "true", "1", "yes": on = true
            case "off", "false", "0", "no": on = false
            default:
                throw ConfigurationError("--metrics (\(MetricsEnvironmentKey.metrics)) '\(text)' is not on or off")
            }
        }
        let addressText = address ?? environment[MetricsEnvironmentKey.address]
        guard on else {
            if let addressText {
                throw ConfigurationError("--metrics-address \(addressText) contradicts --metrics off")
            }
            configuration.metrics = .off
            return
        }
        guard let addressText else {
            configuration.metrics = .main
            return
        }
        // HOST:PORT, the host possibly a bracketed IPv6 literal.
        guard let colon = addressText.lastIndex(of: ":"),
            let port = Int(addressText[addressText.index(after: colon)...]),
            (0...65_535).contains(port)
        else {
            throw ConfigurationError(
                "--metrics-address (\(MetricsEnvironmentKey.address)) '\(addressText)' is not HOST:PORT")
        }
        var host = String(addressText[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw ConfigurationError(
                "--metrics-address (\(MetricsEnvironmentKey.address)) '\(addressText)' has no host")
        }
        configuration.metrics = .separate(host: host, port: port)
    }
}
