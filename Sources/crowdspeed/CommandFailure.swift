import ArgumentParser
import Foundation

/// A command that ran and failed (as opposed to bad arguments): the message goes to stderr
/// without the usage text ArgumentParser prints for a `ValidationError`, and the exit status is 1.
enum CommandFailure {
    /// Writes `message` to stderr and returns the exit code to throw.
    static func exit(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(1)
    }
}
