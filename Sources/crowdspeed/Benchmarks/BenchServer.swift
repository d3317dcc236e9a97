#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// The real `crowdspeed serve` as a child process on a free loopback port: what an operator
/// runs, measured from outside, so its memory (`/proc/PID/status`) is the server's alone and
/// not the load generator's or the payloads'.
final class BenchServer {
    let port: Int
    private let process: Process
    /// The server's stderr (warnings and errors only), kept for diagnosis.
    let logPath: String

    /// Starts `executable serve` on a database with rate limits off and waits until `/healthz`
    /// answers.
    ///
    /// - Parameters:
    ///   - database: the options naming the database: `["--db", path]` or `["--database-url", url]`.
    ///   - durable: `--durable` (fsync before every acknowledgement; SQLite only).
    ///   - demo: `--demo`: serve the synthetic scope's formulas (simulated data).
    ///   - extraArguments: further `serve` options.
    init(
        executable: String, database: [String], durable: Bool, demo: Bool, logPath: String,
        extraArguments: [String] = []
    ) async throws {
        port = try Self.freePort()
        self.logPath = logPath
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var arguments = [
            "serve", "--host", "127.0.0.1", "--port", String(port), "--log-level", "warning",
            "--rate-limit", "off", "--install-rate-limit", "off",
        ]
        arguments += database + extraArguments
        if durable { arguments.append("--durable") }
        if demo { arguments.append("--demo") }
        process.arguments = arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw HTTPConnection.Failure(description: "server exited; see \(logPath)") }
            if let connection = try? HTTPConnection(port: port),
                let answer = try? connection.send(HTTPConnection.request(method: "GET", path: "/healthz")),
                answer.status == 200
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        throw HTTPConnection.Failure(description: "server did not answer /healthz within 120 s; see \(logPath)")
    }

    /// Resident memory of the server now and at its peak (`VmRSS`, `VmHWM`), in MiB.
    func memory() -> (rssMiB: Double, peakMiB: Double) {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        else {
            return (.nan, .nan)
        }
        func field(_ name: String) -> Double {
            for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
                let digits = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
                return digits.flatMap { Double($0) }.map { $0 / 1024 } ?? .nan
            }
            return .nan
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// CPU time the server has used so far (user + system, from `/proc/PID/stat`), in seconds.
    ///
    /// Per submission it is the figure least disturbed by other work on a shared machine:
    /// throughput falls when another process takes a core, CPU time per request barely moves.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .nan }
        // Fields after the command name, which may contain spaces: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Stops the server as an operator would (SIGTERM: graceful) and waits for it.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }

    /// A port the system had free a moment ago (bound to port 0, read back, released).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw HTTPConnection.Failure(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw HTTPConnection.Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
