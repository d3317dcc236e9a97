import CrowdspeedPipeline
import Foundation
import Hummingbird

/// `GET /data`: links to the exports, their filters, a data dictionary and the licence.
struct DataPageController: Sendable {
    let context: PageContext
    /// The published snapshot's shelf; nil when the server publishes none.
    let snapshots: SnapshotShelf?

    /// The route.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("data", use: show)
        return routes
    }

    /// Renders the page; it reads nothing from the store, so it is as cheap as a static file.
    @Sendable func show(_ request: Request, context requestContext: AppRequestContext) async throws -> HTMLResponse {
        HTMLResponse(
            html: context.renderer.render(
                DataPageModel(site: context.renderer.site, snapshots: snapshots), template: "data"))
    }
}
