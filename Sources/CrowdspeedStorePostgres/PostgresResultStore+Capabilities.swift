import CrowdspeedStore

/// The store's capabilities on PostgreSQL: the one place the server and the commands get them,
/// so that the backend's conformances land in one line.
///
/// - Throws: ``PostgresBackendError/storeNotBuiltIn`` until `PostgresResultStore` implements
///   every capability (its `ResultStore`, `CurveStore`, `FitStore`, `DashboardStore`,
///   `StorageStatisticsStore` and `ExportStore` extensions are written on other branches); the
///   body then becomes `StoreCapabilities(store)`.
public func capabilities(of store: PostgresResultStore) throws -> StoreCapabilities {
    throw PostgresBackendError.storeNotBuiltIn
}

/// What the PostgreSQL backend cannot do in this build.
public enum PostgresBackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// This build has the PostgreSQL migrations, `migrate` and `copy`, but not the store itself.
    case storeNotBuiltIn

    public var description: String {
        switch self {
        case .storeNotBuiltIn:
            "the PostgreSQL store is not built into this crowdspeed yet: serving and admin commands need "
                + "--db / sqlite:PATH for now (crowdspeed migrate and crowdspeed copy already work on PostgreSQL)"
        }
    }
}
