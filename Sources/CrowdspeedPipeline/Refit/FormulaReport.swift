import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation

/// A fitted formula set as text for a terminal (`crowdspeed refit`, logs): the served formula,
/// its held-out regret beside the baselines, the classes, the noise floor and the evidence.
public enum FormulaReport {
    /// The report of `formula`, several lines.
    public static func text(_ formula: FittedFormula) -> String {
        let report = formula.report
        func percent(_ value: Double?) -> String {
            guard let value, value.isFinite else { return "   n/a" }
            return String(format: "%5.2f%%", 100 * value)
        }
        func row(_ evaluation: FormulaEvaluation) -> String {
            let name = evaluation.name.padding(toLength: 18, withPad: " ", startingAt: 0)
            return
                "  \(name) regret \(percent(evaluation.heldOutRegret.mean))  p90 \(percent(evaluation.heldOutRegret.p90))"
                + "  gain \(percent(evaluation.gainOverDefault.mean))   \(evaluation.formula.description)"
        }
        var lines = [
            "formula version \(formula.version) (\(formula.summary.scope.rawValue) scope, sources \(formula.summary.sources)"
                + (formula.isSynthetic ? ", SYNTHETIC DATA" : "") + ")",
            "fitted in \(String(format: "%.1f", formula.summary.fitMilliseconds)) ms on \(report.evidence.machines) machines, "
                + "\(report.evidence.curves) curves, \(report.evidence.cpuModels) CPU models"
                + (report.evidence.skippedCurves > 0
                    ? " (\(report.evidence.skippedCurves) curves without a usable point skipped)" : ""),
            "regrets are " + (report.isHeldOut ? "held out by CPU model" : "IN-SAMPLE (fewer than two CPU models)"),
            "",
            "served:",
            row(report.global),
            "baselines:",
        ]
        lines += report.baselines.map(row)
        lines.append("noise floor: \(percent(report.noiseFloor))")
        if !report.classes.isEmpty {
            lines.append("classes:")
            for fit in report.classes {
                lines.append(
                    "  \(fit.hardwareClass) (\(fit.machines) machines): \(fit.accepted ? "own formula served" : "global formula kept")"
                        + ", own \(percent(fit.evaluation.heldOutRegret.mean)) vs global \(percent(fit.globalRegret.mean))"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
