import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Diagnostics and progress go to stderr so that stdout carries only results (tables, payloads).
public enum Console {
    /// Writes one line to stderr.
    public static func info(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Writes `error: message` to stderr.
    public static func error(_ message: String) {
        info("error: \(message)")
    }

    /// Whether stderr is a terminal (progress bar) or a file or pipe (plain lines).
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}
