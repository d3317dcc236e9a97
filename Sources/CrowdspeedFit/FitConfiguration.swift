import Foundation

/// The knobs of a refit. The defaults are the documented choices; tests and benchmarks may vary them.
public struct FitConfiguration: Sendable, Equatable, Codable {
    /// Families fitted and compared (baselines are always evaluated).
    public var families: [FormulaFamily] = FormulaFamily.fitted
    /// Every formula output is clamped to this range (after snapping to a power of two).
    public var range: ClosedRange<Int64> = Formula.defaultRange
    /// Candidate log2 k for the scaled families (k·L2, k·L3/procs, k·L3/cores): 2^-8 … 2^8 in
    /// quarter steps. The constant family tries every power of two inside `range`.
    public var log2FactorGrid: [Double] = stride(from: -8.0, through: 8.0, by: 0.25).map { $0 }
    /// Relative slack of the flat set, 0.02 = within 2% of the best.
    public var flatTolerance = 0.02
    /// Ridge penalty of the log-linear least squares, per curve (keeps a rank-deficient design
    /// solvable, e.g. when no machine lacks an L3 or all do).
    public var ridge = 1e-3
    /// Machines a hardware class needs before it may get its own formula, counted by weight
    /// (each machine counts its curves' largest ``FitCurve/weight``), so that machines an
    /// install fabricated cannot earn a class its own formula.
    public var classMinMachines = 8
    /// How much lower (absolute regret, 0.005 = half a point) a class formula's held-out regret
    /// must be than the global formula's on the same curves. A tenth of a point, like
    /// ``simplicityMargin``: with the robust fit's Huber loss a class of an honest population
    /// could win by a few hundredths of a point, which is noise, and a planted group should not
    /// earn a class its own formula by a hair either. (It was 0 before the robust fit.)
    public var classMargin = 0.001
    /// A simpler candidate within this much mean regret of the best is preferred to it. Order of
    /// simplicity: PyPy's rule, fixed constants, then ``families`` in order.
    public var simplicityMargin = 0.001
    /// The fixed-constant baselines.
    public var fixedConstants: [Int64] = [4 << 20, 8 << 20]
    /// The robust fit (origin cap, screening, bounded losses; see ``RobustFitOptions``), on by
    /// default. Nil turns it off: every curve then pulls with its full weight, as before it
    /// existed — and reports stored before it existed decode with nil, which is what they did.
    public var robust: RobustFitOptions? = RobustFitOptions()

    public init() {}

    /// The integer exponents formulas can output.
    var exponents: ClosedRange<Int> {
        let low = Int(log2(Double(max(1, range.lowerBound))).rounded(.up))
        let high = Int(log2(Double(max(1, range.upperBound))).rounded(.down))
        return low...max(low, high)
    }
}
