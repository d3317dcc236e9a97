import Foundation
/// The error page: the status, its standard title and one sentence about what went wrong.
struct ErrorPageModel: Sendable {
    var page: PageLayout
    var status: Int
    var title: String
    var detail: String
    var isNotFound: Bool

    /// Creates the model; `detail` is shown escaped, like every string.
    init(status: Int, title: String, detail: String, site: SiteSettings) {
        self.page = PageLayout(title: "\(status) \(title)", section: nil, site: site)
        self.status = status
        self.title = title
        self.detail = detail
        self.isNotFound = status == 404
    }
}
