import CrowdspeedCore

/// The plausibility screen's peer class of a submission (the `screen_class` column).
public enum ScreeningClass {
    /// Architecture, CPU vendor, interpreter implementation and gcbench version, joined by
    /// U+001F; nil when the submission has no screened value (`benchmarkVersion` nil).
    public static func of(_ submission: Submission, benchmarkVersion: String?) -> String? {
        guard let benchmarkVersion else { return nil }
        return [
            submission.machine.arch, submission.machine.cpuVendor, submission.interpreter.implementation,
            benchmarkVersion,
        ]
        .joined(separator: "\u{1F}")
    }
}
