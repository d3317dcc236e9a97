import Foundation

extension Configuration {
    /// The command-line options of the trust settings; nil or false means "not given".
    public struct TrustOptions: Sendable, Equatable {
        /// `--rate-limit`: `PER_MINUTE[/BURST]` per client address, or `off`.
        public var rateLimit: String?
        /// `--install-rate-limit`: the same per install token.
        public var installRateLimit: String?
        /// `--trust-forwarded-for`.
        public var trustForwardedFor: Bool
        /// `--admin-token-file`: a file holding the admin token's hash (`sha256:` + 64 hex digits).
        public var adminTokenFile: String?

        /// Creates options; everything defaults to "not given".
        public init(
            rateLimit: String? = nil, installRateLimit: String? = nil, trustForwardedFor: Bool = false,
            adminTokenFile: String? = nil
        ) {
            self.rateLimit = rateLimit
            self.installRateLimit = installRateLimit
            self.trustForwardedFor = trustForwardedFor
            self.adminTokenFile = adminTokenFile
        }
    }

    /// The environment variables of the trust settings.
    public enum TrustEnvironmentKey {
        public static let rateLimit = "CROWDSPEED_RATE_LIMIT"
        public static let installRateLimit = "CROWDSPEED_INSTALL_RATE_LIMIT"
        public static let trustForwardedFor = "CROWDSPEED_TRUST_FORWARDED_FOR"
        /// The admin token's hash itself (not a file), for service managers and containers.
        public static let adminTokenHash = "CROWDSPEED_ADMIN_TOKEN_HASH"
        /// The origin key file (``Configuration/originKeyFile``), when it should not sit beside
        /// the database (a read-only database directory, or a PostgreSQL backend).
        public static let originKeyFile = "CROWDSPEED_ORIGIN_KEY_FILE"
    }

    /// Applies the trust options over their environment variables over the defaults, with the
    /// same precedence as every other option.
    static func resolveTrust(
        _ options: TrustOptions, environment: [String: String], into configuration: inout Configuration
    ) throws(ConfigurationError) {
        if let text = options.rateLimit ?? environment[TrustEnvironmentKey.rateLimit] {
            configuration.addressRateLimit = try rate(
                text, option: "--rate-limit", variable: TrustEnvironmentKey.rateLimit)
        }
        if let text = options.installRateLimit ?? environment[TrustEnvironmentKey.installRateLimit] {
            configuration.installRateLimit = try rate(
                text, option: "--install-rate-limit", variable: TrustEnvironmentKey.installRateLimit)
        }
        if let file = environment[TrustEnvironmentKey.originKeyFile] {
            guard !file.isEmpty else {
                throw ConfigurationError("\(TrustEnvironmentKey.originKeyFile) must not be empty")
            }
            configuration.originKeyFile = file
        }
        let trust = environment[TrustEnvironmentKey.trustForwardedFor]?.lowercased()
        configuration.trustForwardedFor = options.trustForwardedFor || trust == "1" || trust == "true" || trust == "yes"
        if let file = options.adminTokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("--admin-token-file \(file) cannot be read")
            }
            configuration.adminTokenHash = try adminHash(
                String(decoding: data, as: UTF8.self), source: "--admin-token-file \(file)")
        } else if let text = environment[TrustEnvironmentKey.adminTokenHash] {
            configuration.adminTokenHash = try adminHash(text, source: TrustEnvironmentKey.adminTokenHash)
        }
    }

    /// A rate option: `off` (or `0`) disables, otherwise ``RateLimit/init(_:)``.
    private static func rate(_ text: String, option: String, variable: String) throws(ConfigurationError) -> RateLimit?
    {
        if text.lowercased() == "off" || text == "0" { return nil }
        guard let rate = RateLimit(text) else {
            throw ConfigurationError("\(option) (\(variable)) '\(text)' is not PER_MINUTE[/BURST], e.g. 30/10, or off")
        }
        return rate
    }

    /// The admin token hash from `sha256:<64 hex>` or bare hex, surrounding whitespace ignored.
    /// Anything else — in particular a plain token — is refused: the server never holds the
    /// token in the clear, so a leaked configuration grants nothing.
    static func adminHash(_ text: String, source: String) throws(ConfigurationError) -> String {
        var hash = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        if hash.hasPrefix("sha256:") { hash.removeFirst("sha256:".count) }
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw ConfigurationError(
                "\(source) must hold sha256: and 64 hex digits, as printed by `crowdspeed admin hash-token`")
        }
        return hash
    }
}
