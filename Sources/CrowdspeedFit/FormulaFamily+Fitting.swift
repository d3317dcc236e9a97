import Foundation

/// A family fitted on a table: the formula from all curves, plus for every curve the exponent
/// predicted by the fold that held out that curve's CPU model (leave-one-CPU-model-out).
struct FamilyFit: Sendable {
    var formula: Formula
    var heldOutExponents: [Double]
}

/// Fitting, pragmatically:
///
/// - One-parameter families: grid search over k (``FitConfiguration/log2FactorGrid``) minimizing
///   the weighted mean regret over the training curves. Ties (snapping makes neighbouring k identical) go to
///   the middle tied candidate. Held-out folds reuse per-group regret sums, so leave-one-out over
///   G CPU models costs one pass over the curves per candidate, not G.
/// - Log-linear: weighted ridge least squares of log2(flat-set centre) on the features. The regret is
///   flat near the optimum, so aiming at the centre of the flat set is a good proxy; no
///   regret-minimizing refinement is done (it would cost a pass per fold). Folds subtract each
///   CPU model's share of the normal equations.
///
/// With a single CPU model there is nothing to hold out; folds then use the all-data fit and the
/// report says the regret is in-sample.
extension FormulaFamily {
    func fit(on table: CurveTable, configuration: FitConfiguration) -> FamilyFit {
        switch self {
        case .logLinear: return fitLogLinear(on: table, configuration: configuration)
        case .pypyDefault:
            return FamilyFit(formula: .pypyDefault, heldOutExponents: [Double](repeating: .nan, count: table.count))
        case .constant:
            let grid = configuration.exponents.map(Double.init)
            return fitGrid(on: table, candidates: grid, configuration: configuration)
        case .l2, .l3PerProcs, .l3PerCores:
            return fitGrid(on: table, candidates: configuration.log2FactorGrid, configuration: configuration)
        }
    }

    private func fitGrid(on table: CurveTable, candidates: [Double], configuration: FitConfiguration) -> FamilyFit {
        let exponents = configuration.exponents
        let low = Double(exponents.lowerBound)
        let high = Double(exponents.upperBound)
        let formulas = candidates.map { Formula(family: self, log2Factor: $0, range: configuration.range) }
        let groups = table.groupCount
        var total = [Double](repeating: 0, count: formulas.count)
        var perGroup = [Double](repeating: 0, count: formulas.count * max(1, groups))
        // Curve by curve rather than candidate by candidate: a curve's weighted regret at each
        // exponent is computed once, and each candidate only looks up the one it snaps to. Every
        // sum still adds the curves in table order, so the sums are the same to the bit.
        var weighted = [Double](repeating: 0, count: table.exponentCount)
        for i in 0..<table.count {
            let weight = table.weights[i]
            for k in 0..<table.exponentCount {
                weighted[k] = weight * table.regret(i, exponent: Double(table.minExponent + k))
            }
            let row = table.rows[i]
            let group = table.groups[i]
            for (j, formula) in formulas.enumerated() {
                let r = weighted[Int(formula.predictLog2(row, low: low, high: high)) - table.minExponent]
                total[j] += r
                perGroup[j * groups + group] += r
            }
        }
        let all = Self.middleArgmin(formulas.indices.map { total[$0] })
        var foldChoice = [Int](repeating: all, count: groups)
        if groups > 1 {
            for g in 0..<groups {
                foldChoice[g] = Self.middleArgmin(formulas.indices.map { total[$0] - perGroup[$0 * groups + g] })
            }
        }
        let heldOut = (0..<table.count).map { i in
            formulas[foldChoice[table.groups[i]]].predictLog2(table.rows[i], low: low, high: high)
        }
        return FamilyFit(formula: formulas.isEmpty ? .pypyDefault : formulas[all], heldOutExponents: heldOut)
    }

    private func fitLogLinear(on table: CurveTable, configuration: FitConfiguration) -> FamilyFit {
        let size = 6
        let groups = max(1, table.groupCount)
        var totalA = [Double](repeating: 0, count: size * size)
        var totalB = [Double](repeating: 0, count: size)
        var totalN = 0.0
        var groupA = [Double](repeating: 0, count: groups * size * size)
        var groupB = [Double](repeating: 0, count: groups * size)
        var groupN = [Double](repeating: 0, count: groups)
        var x = [Double](repeating: 0, count: size)
        for i in 0..<table.count where table.target[i].isFinite {
            let row = table.rows[i]
            x[0] = 1
            x[1] = row.log2L2
            x[2] = row.log2LLC
            x[3] = row.noL3
            x[4] = row.log2Cores
            x[5] = row.log2Procs
            let g = table.groups[i]
            let w = table.weights[i]
            for r in 0..<size {
                totalB[r] += w * x[r] * table.target[i]
                groupB[g * size + r] += w * x[r] * table.target[i]
                for c in 0..<size {
                    totalA[r * size + c] += w * x[r] * x[c]
                    groupA[g * size * size + r * size + c] += w * x[r] * x[c]
                }
            }
            totalN += w
            groupN[g] += w
        }
        func solve(subtracting g: Int?) -> Formula {
            var a = totalA
            var b = totalB
            var n = totalN
            if let g {
                for k in 0..<size * size { a[k] -= groupA[g * size * size + k] }
                for k in 0..<size { b[k] -= groupB[g * size + k] }
                n -= groupN[g]
            }
            // n is a weight sum; subtracting a fold can leave rounding dust where it should be 0.
            let hasData = n > 1e-9
            let fallback = LogLinearCoefficients(
                intercept: hasData ? b[0] / n : 22, log2L2: 0, log2LLC: 0, noL3: 0, log2Cores: 0, log2Procs: 0)
            guard hasData else { return Formula(logLinear: fallback, range: configuration.range) }
            // Ridge on the slopes only, scaled by the (weighted) number of curves.
            for k in 1..<size { a[k * size + k] += configuration.ridge * n }
            guard let solution = LinearAlgebra.solve(a, b, size: size) else {
                return Formula(logLinear: fallback, range: configuration.range)
            }
            return Formula(logLinear: LogLinearCoefficients(vector: solution), range: configuration.range)
        }
        let all = solve(subtracting: nil)
        let folds: [Formula] = table.groupCount > 1 ? (0..<groups).map { solve(subtracting: $0) } : [all]
        let exponents = configuration.exponents
        let low = Double(exponents.lowerBound)
        let high = Double(exponents.upperBound)
        let heldOut = (0..<table.count).map { i in
            folds[table.groupCount > 1 ? table.groups[i] : 0].predictLog2(table.rows[i], low: low, high: high)
        }
        return FamilyFit(formula: all, heldOutExponents: heldOut)
    }

    /// The middle index among those within 1e-9 (relative) of the minimum; 0 when empty.
    static func middleArgmin(_ values: [Double]) -> Int {
        guard let minimum = values.filter(\.isFinite).min() else { return 0 }
        let tolerance = 1e-9 * max(1, abs(minimum))
        let tied = values.indices.filter { values[$0] <= minimum + tolerance }
        return tied[tied.count / 2]
    }
}

/// Dense linear solves for the tiny systems of the log-linear fit.
enum LinearAlgebra {
    /// Solves `a · x = b` for a row-major `size × size` matrix by Gaussian elimination with
    /// partial pivoting; nil when the matrix is singular to working precision.
    static func solve(_ a: [Double], _ b: [Double], size: Int) -> [Double]? {
        var m = a
        var v = b
        let scale = max(1e-300, m.map(abs).max() ?? 0)
        for column in 0..<size {
            var pivot = column
            for row in column + 1..<size where abs(m[row * size + column]) > abs(m[pivot * size + column]) {
                pivot = row
            }
            guard abs(m[pivot * size + column]) > 1e-12 * scale else { return nil }
            if pivot != column {
                for k in 0..<size { m.swapAt(column * size + k, pivot * size + k) }
                v.swapAt(column, pivot)
            }
            for row in column + 1..<size {
                let factor = m[row * size + column] / m[column * size + column]
                guard factor != 0 else { continue }
                for k in column..<size { m[row * size + k] -= factor * m[column * size + k] }
                v[row] -= factor * v[column]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = v[row]
            for k in row + 1..<size { sum -= m[row * size + k] * x[k] }
            x[row] = sum / m[row * size + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}
