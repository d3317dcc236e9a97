import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Hummingbird

extension Router where Context == AppRequestContext {
    /// Adds the fitting routes: `/api/v1/recommendations/nursery`, `/api/v1/plan` and `/api/v1/formulas`.
    ///
    /// They serve the `.synthetic` formula scope on a demo server (labelled as such in every
    /// answer) and the `.real` one otherwise; see ``Configuration/formulaScope``.
    func addFittingRoutes(stores: StoreCapabilities, cache: FormulaCache, configuration: Configuration) {
        let scope = configuration.formulaScope
        addRoutes(
            RecommendationsController(
                store: stores.results, cache: cache, scope: scope,
                retryAfterSeconds: max(1, Int(configuration.refit.interval.components.seconds))
            ).routes,
            atPath: RouterPath(RecommendationsController.path))
        addRoutes(PlanController(cache: cache, scope: scope).routes, atPath: RouterPath(PlanController.path))
        addRoutes(
            FormulasController(store: stores.fits, cache: cache, scope: scope).routes,
            atPath: RouterPath(FormulasController.basePath))
    }
}

extension Configuration {
    /// The formulas this server fits and serves: synthetic data on a demo server, never otherwise.
    public var formulaScope: FormulaScope { demo ? .synthetic : .real }
}
