import Foundation
/// The submit page (`/submit`): the agent commands for this server's URL.
struct SubmitPageModel: Sendable {
    var page: PageLayout
    /// Where agents should send results; shown inside `<code>`, escaped like every string.
    var serverURL: String
    /// True when the URL was taken from the request rather than configured.
    var serverURLFromHost: Bool
    /// `curl -fsSL SERVER/install.sh | sh`.
    var installCommand: String
    /// The platforms with a prebuilt agent, e.g. `linux-x86_64`; empty when none is offered.
    var platforms: [String]
    /// Stored, not computed: the templates read properties by reflection.
    var hasBuilds: Bool

    /// Creates the model.
    init(serverURL: String, fromHost: Bool, builds: [String] = [], site: SiteSettings) {
        page = PageLayout(title: "Submit results", section: .submit, site: site)
        self.serverURL = serverURL
        self.serverURLFromHost = fromHost
        installCommand = "curl -fsSL \(serverURL)/install.sh | sh"
        platforms = builds.map { String($0.dropFirst("crowdspeed-agent-".count)) }
        hasBuilds = !builds.isEmpty
    }
}
