import ArgumentParser
import CrowdspeedStore
import Foundation

/// `crowdspeed admin hash-token`: turns an admin token into what the server is configured with.
///
/// The server holds only the hash, so a leaked configuration file grants nothing. Reads the
/// token from standard input (never from an argument: arguments show in `ps` and shell history),
/// or makes a new one with `--generate` and prints it on standard error, once.
struct AdminHashToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-token",
        abstract: "Print sha256:<hex> of an admin token read from stdin (or of a new one with --generate).",
        discussion:
            "Example: crowdspeed admin hash-token --generate 2>admin.token >admin.hash; crowdspeed serve --admin-token-file admin.hash"
    )

    @Flag(help: "Generate a new random token; it is written to stderr, the hash to stdout.")
    var generate = false

    func run() async throws {
        let token: String
        if generate {
            token = SecretToken.generate()
            FileHandle.standardError.write(Data((token + "\n").utf8))
        } else {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            token = input.trimmingCharacters(in: .whitespacesAndNewlines)
            guard token.utf8.count >= 16 else {
                throw CommandFailure.exit(
                    "the token on stdin is \(token.utf8.count) bytes; use at least 16 random bytes, or --generate")
            }
        }
        print("sha256:" + SecretToken.digest(token))
    }
}
