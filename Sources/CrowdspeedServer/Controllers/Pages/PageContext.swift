import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation

/// What every page controller shares: the store's capabilities, the decoded-formula cache, the
/// renderer and which formulas this server serves.
struct PageContext: Sendable {
    let stores: StoreCapabilities
    let formulas: FormulaCache
    let renderer: PageRenderer
    /// `.synthetic` on a demo server, `.real` otherwise.
    let scope: FormulaScope

    /// The served formula, or nil before the first fit. A formula that cannot be decoded is
    /// treated as absent so a page still shows its data.
    func currentFormula() async -> FittedFormula? {
        try? await formulas.latest(scope: scope)
    }
}
