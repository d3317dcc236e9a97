import CrowdspeedCore

/// The agent's name and version as recorded in every submission.
public enum AgentIdentity {
    /// Bumped whenever the agent's measurement behaviour changes.
    public static let version = "0.1.0"
    /// The `agent` block of a submission.
    public static let info = AgentInfo(name: "crowdspeed-agent", version: version)
}
