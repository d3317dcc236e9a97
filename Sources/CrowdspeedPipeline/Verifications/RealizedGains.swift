import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// What verifications say about one formula version's recommendations: the gains its sizes
/// realized on the machines that tried them, beside the gains the server predicted for them.
public struct RealizedGains: Codable, Sendable, Equatable {
    public var formulaVersion: Int
    /// Verifications of this version's sizes, and the machines they come from.
    public var verifications: Int
    public var machines: Int
    /// The median realized gain, and the interquartile range across verifications (the spread
    /// between machines and runs, not an interval of the median).
    public var medianGain: Double
    public var lowerQuartile: Double
    public var upperQuartile: Double
    /// Verifications whose own interval lies above zero.
    public var confirmed: Int
    /// The median of the gains the server predicted for the same verifications; nil when none
    /// carried one.
    public var medianPredicted: Double?

    /// Creates the summary.
    public init(
        formulaVersion: Int, verifications: Int, machines: Int, medianGain: Double, lowerQuartile: Double,
        upperQuartile: Double, confirmed: Int, medianPredicted: Double?
    ) {
        self.formulaVersion = formulaVersion
        self.verifications = verifications
        self.machines = machines
        self.medianGain = medianGain
        self.lowerQuartile = lowerQuartile
        self.upperQuartile = upperQuartile
        self.confirmed = confirmed
        self.medianPredicted = medianPredicted
    }

    enum CodingKeys: String, CodingKey {
        case formulaVersion = "formula_version"
        case verifications, machines
        case medianGain = "median_gain"
        case lowerQuartile = "lower_quartile"
        case upperQuartile = "upper_quartile"
        case confirmed
        case medianPredicted = "median_predicted_gain"
    }

    /// One summary per formula version with verifications of its own sizes, newest version first.
    public static func byFormula(_ gains: [VerifiedGain]) -> [RealizedGains] {
        let byVersion = Dictionary(grouping: gains, by: \.formulaVersion)
        return byVersion.keys.sorted(by: >).map { version in
            let entries = byVersion[version]!
            let values = entries.map(\.gain)
            return RealizedGains(
                formulaVersion: version, verifications: entries.count, machines: Set(entries.map(\.machineID)).count,
                medianGain: Stats.quantile(values, 0.5), lowerQuartile: Stats.quantile(values, 0.25),
                upperQuartile: Stats.quantile(values, 0.75),
                confirmed: entries.filter { ($0.gainLower ?? 0) > 0 }.count,
                medianPredicted: Median.of(entries.compactMap(\.predictedGain)))
        }
    }
}
