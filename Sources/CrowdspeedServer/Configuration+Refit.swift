import CrowdspeedCore
import Foundation

extension Configuration {
    /// The environment variables of the background refit's settings.
    public enum RefitEnvironmentKey {
        /// Time between checks, as `--refit-interval` takes it (`300s`, `5m`, …).
        public static let interval = "CROWDSPEED_REFIT_INTERVAL"
        /// New submissions that make a refit due, as `--refit-after` takes it.
        public static let after = "CROWDSPEED_REFIT_AFTER"
        /// How often the newest formula version is asked again, as `--formula-refresh` takes it.
        public static let formulaRefresh = "CROWDSPEED_FORMULA_REFRESH"
    }

    /// The longest `--formula-refresh` accepted: servers behind one proxy should not disagree
    /// about the served formula for longer.
    public static let maximumFormulaRefreshInterval: Duration = .seconds(300)

    /// The longest `--refit-interval` accepted: a longer one is almost surely a unit mistake
    /// (`300` meant as minutes), and a server that never refits looks broken rather than idle.
    public static let maximumRefitInterval: Duration = .seconds(7 * 24 * 3600)

    /// Applies `--refit-interval`, `--refit-after` and `--formula-refresh` over their environment
    /// variables over the defaults, with the same precedence as every other option.
    static func resolveRefit(
        interval: String?, after: String?, formulaRefresh: String? = nil, environment: [String: String],
        into configuration: inout Configuration
    ) throws(ConfigurationError) {
        if let text = formulaRefresh ?? environment[RefitEnvironmentKey.formulaRefresh] {
            guard let duration = DurationText.parse(text), duration >= .zero,
                duration <= maximumFormulaRefreshInterval
            else {
                throw ConfigurationError(
                    "--formula-refresh (\(RefitEnvironmentKey.formulaRefresh)) '\(text)' is not a duration between 0s and 5m, e.g. 2s or 500ms"
                )
            }
            configuration.formulaRefreshInterval = duration
        }
        if let text = interval ?? environment[RefitEnvironmentKey.interval] {
            guard let duration = DurationText.parse(text), duration >= .seconds(1), duration <= maximumRefitInterval
            else {
                throw ConfigurationError(
                    "--refit-interval (\(RefitEnvironmentKey.interval)) '\(text)' is not a duration between 1s and 7d, e.g. 300s, 5m or 1h"
                )
            }
            configuration.refit.interval = duration
        }
        if let text = after ?? environment[RefitEnvironmentKey.after] {
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), (1...1_000_000).contains(count) else {
                throw ConfigurationError(
                    "--refit-after (\(RefitEnvironmentKey.after)) '\(text)' is not a number of submissions between 1 and 1000000"
                )
            }
            configuration.refit.minimumNewSubmissions = count
        }
    }
}
