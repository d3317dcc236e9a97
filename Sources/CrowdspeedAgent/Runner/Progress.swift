import Foundation

/// Progress of a sweep on stderr: a redrawn bar with ETA on a terminal, one plain line per
/// finished step otherwise (logs and CI keep readable text, no carriage returns).
public final class ProgressReporter: @unchecked Sendable {
    // Only touched from the sweep's own thread; @unchecked because the reporter is handed to it.
    private let isTerminal: Bool
    private let write: (String) -> Void
    private var lastLineLength = 0

    /// - Parameters:
    ///   - isTerminal: draw a bar (true) or print lines (false).
    ///   - write: where text goes (stderr by default).
    public init(
        isTerminal: Bool = Console.stderrIsTerminal,
        write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
    ) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports one finished step.
    ///
    /// - Parameters:
    ///   - done: steps finished; `total`: steps planned (an upper bound for adaptive sweeps).
    ///   - label: what just ran. `etaSeconds`: estimated time left, nil when unknown yet.
    public func step(done: Int, total: Int, label: String, etaSeconds: Double?) {
        let eta = etaSeconds.map { "ETA \(Self.formatDuration($0))" } ?? "ETA …"
        if isTerminal {
            let width = 24
            let filled = total > 0 ? min(width, done * width / total) : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            var line = "\r\(bar) \(done)/\(total) \(eta)  \(label)"
            let visible = line.count
            if visible < lastLineLength { line += String(repeating: " ", count: lastLineLength - visible) }
            lastLineLength = visible
            write(line)
        } else {
            write("[\(done)/\(total)] \(label) (\(eta))\n")
        }
    }

    /// Prints a message on its own line (ending a bar in progress first).
    public func message(_ text: String) {
        if isTerminal && lastLineLength > 0 {
            write("\n")
            lastLineLength = 0
        }
        write(text + "\n")
    }

    /// Ends the bar line.
    public func finish() {
        if isTerminal && lastLineLength > 0 { write("\n") }
        lastLineLength = 0
    }

    /// `45s`, `3m05s`, `1h02m`.
    public static func formatDuration(_ seconds: Double) -> String {
        let total = Int(max(0, seconds).rounded())
        if total < 60 { return "\(total)s" }
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }
}
