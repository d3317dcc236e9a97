import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Hummingbird
import Logging

extension Router where Context == AppRequestContext {
    /// Adds the dashboard: the page routes, `/static/` and `/vendor/chart.js`, and the
    /// middleware that turns page errors into HTML error pages (it must sit inside
    /// ``ProblemMiddleware``, so call this after adding that).
    ///
    /// - Parameters:
    ///   - stores: the pages' reads.
    ///   - formulas: the decoded formulas, shared with the API.
    ///   - configuration: Chart.js path, public URL and demo mode.
    ///   - assets: the static files and Chart.js, loaded once.
    ///   - center: the version comparisons, shared with the API.
    func addDashboard(
        stores: StoreCapabilities, formulas: FormulaCache, configuration: Configuration, assets: StaticAssetsController,
        snapshots: SnapshotShelf?, center: SpeedCenter
    ) {
        let site = SiteSettings(
            demo: configuration.demo, chartsAvailable: assets.chartsAvailable, publicURL: configuration.publicURL)
        let renderer: PageRenderer
        do {
            renderer = try PageRenderer(site: site)
        } catch {
            // The templates are part of the build and every one is rendered by the tests; a
            // parse failure here is a packaging defect, not something an operator can fix.
            preconditionFailure("dashboard templates do not parse: \(error)")
        }
        add(middleware: HTMLErrorMiddleware(renderer: renderer))
        let context = PageContext(
            stores: stores, formulas: formulas, renderer: renderer, scope: configuration.formulaScope)
        addRoutes(assets.routes)
        addRoutes(OverviewPageController(context: context).routes)
        addRoutes(MachinesPageController(context: context).routes)
        addRoutes(MachinePageController(context: context).routes)
        addRoutes(ComparePageController(context: context).routes)
        addRoutes(FormulasPageController(context: context).routes)
        addRoutes(TimelinePageController(context: context, center: center).routes)
        addRoutes(ChangesPageController(context: context, center: center).routes)
        addRoutes(
            SubmitPageController(
                context: context,
                downloads: AgentDownloadsController(
                    directory: configuration.agentBuildsPath, publicURL: configuration.publicURL)
            ).routes)
        addRoutes(DataPageController(context: context, snapshots: snapshots).routes)
        addRoutes(SnapshotDownloadController(shelf: snapshots).routes)
    }
}
