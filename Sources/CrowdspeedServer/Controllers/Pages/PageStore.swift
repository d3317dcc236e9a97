import Foundation
import CrowdspeedStore

/// Everything the pages read: the machines and runs (``ResultStore``), the dashboard's own
/// aggregates (``DashboardStore``) and the fitting aggregates and formulas (``FitStore``).
/// ``SQLiteResultStore`` is all three.
public typealias PageStore = ResultStore & DashboardStore & FitStore
