import Foundation
/// The submit page (`/submit`): the agent commands for this server's URL.
struct SubmitPageModel: Sendable {
    var page: PageLayout
    /// Where agents should send results; shown inside `<code>`, escaped like every string.
    var serverURL: String
    /// True when the URL was taken from the request rather than configured.
    var serverURLFromHost: Bool

    /// Creates the model.
    init(serverURL: String, fromHost: Bool, site: SiteSettings) {
        page = PageLayout(title: "Submit results", section: .submit, site: site)
        self.serverURL = serverURL
        self.serverURLFromHost = fromHost
    }
}
