import Foundation

/// The store's capabilities as the server and the pipeline take them: typed values, composed
/// once at start-up, so that a backend lacking one is a compile error rather than a missing
/// route. Every backend implements all of them; tests may mix in a double for one capability.
public struct StoreCapabilities: Sendable {
    /// Submissions, machines, deletion and moderation.
    public var results: any ResultStore
    /// The machine curves and their windows.
    public var curves: any CurveStore
    /// Refit inputs and formulas.
    public var fits: any FitStore
    /// The dashboard's aggregates.
    public var dashboard: any DashboardStore
    /// The database's size, for the operator's metrics.
    public var storage: any StorageStatisticsStore
    /// The public data, page by page, for the streamed exports.
    public var exports: any ExportStore
    /// The lease that keeps the background refit on one server at a time.
    public var refitLease: any RefitLeaseStore
    /// The per-machine figures of the version comparisons.
    public var comparisons: any ComparisonStore
    /// The verification results of `crowdspeed-agent verify`.
    public var verifications: any VerificationStore

    /// Capabilities from separate values (tests substitute one).
    public init(
        results: any ResultStore, curves: any CurveStore, fits: any FitStore, dashboard: any DashboardStore,
        storage: any StorageStatisticsStore, exports: any ExportStore, refitLease: any RefitLeaseStore,
        comparisons: any ComparisonStore, verifications: any VerificationStore
    ) {
        self.results = results
        self.curves = curves
        self.fits = fits
        self.dashboard = dashboard
        self.storage = storage
        self.exports = exports
        self.refitLease = refitLease
        self.comparisons = comparisons
        self.verifications = verifications
    }

    /// Every capability from one backend.
    public init(
        _ store: some ResultStore & CurveStore & FitStore & DashboardStore & StorageStatisticsStore & ExportStore
            & RefitLeaseStore & ComparisonStore & VerificationStore
    ) {
        self.init(
            results: store, curves: store, fits: store, dashboard: store, storage: store, exports: store,
            refitLease: store, comparisons: store, verifications: store)
    }
}
