import Foundation

/// Which data a formula is fitted on. Synthetic data never enters the formulas served for real
/// machines: ``real`` reads agent and import submissions only; ``synthetic`` (demo servers)
/// reads every source and is labelled as such wherever it is shown.
public enum FormulaScope: String, Sendable, Codable, CaseIterable {
    case real, synthetic

    /// The submission sources the scope's fit reads.
    public var sources: Set<SubmissionSource> {
        switch self {
        case .real: [.agent, .import]
        case .synthetic: Set(SubmissionSource.allCases)
        }
    }

    /// The sources in a stable, readable order (`agent,import`).
    public var sourcesText: String {
        sources.map(\.rawValue).sorted().joined(separator: ",")
    }
}
