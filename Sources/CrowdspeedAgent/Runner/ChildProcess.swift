import Foundation
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One command to start: the executable, its arguments and its complete environment.
public struct ChildCommand: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]

    public init(executable: String, arguments: [String], environment: [String: String]) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}

/// What one finished child did, with its resource usage from `wait4`.
public struct ChildOutcome: Sendable, Equatable {
    /// Exit code, or nil when the child was killed by a signal.
    public var exitCode: Int32?
    /// The signal that killed the child, if any.
    public var signal: Int32?
    public var stdout: String
    public var stderr: String
    /// From start until its output pipes closed (its exit), in milliseconds.
    public var wallMs: Double
    /// User + system CPU time of the child, from its rusage.
    public var cpuMs: Double
    /// Peak resident set size in bytes (`ru_maxrss` is KiB on Linux, bytes on macOS).
    public var maxRSSBytes: Int64

    public var succeeded: Bool { exitCode == 0 }
}

/// Errors starting children.
public enum SpawnError: Error, CustomStringConvertible {
    case failed(String, Int32)

    public var description: String {
        switch self {
        case .failed(let executable, let code): "cannot start \(executable): \(String(cString: strerror(code)))"
        }
    }
}

/// Starts children with `posix_spawn` and reaps them with `wait4`, the one way to get each
/// child's own rusage (CPU time, max RSS); Foundation's `Process` does not expose it.
public enum ChildProcess {
    /// Starts every command at once and waits for all of them.
    ///
    /// Output is read from all pipes together with `poll`, so a child that writes a lot to either
    /// stream cannot block while another pipe is being drained.
    ///
    /// - Parameter onStart: called with the children's pids as soon as they run, so an interrupt
    ///   handler can kill them.
    public static func runConcurrently(_ commands: [ChildCommand], onStart: ([pid_t]) -> Void = { _ in }) throws
        -> [ChildOutcome]
    {
        struct Running {
            var pid: pid_t
            var start: ContinuousClock.Instant
            var end: ContinuousClock.Instant?
            var fds: [Int32]
            var output: [Data]
        }
        var running: [Running] = []
        do {
            for command in commands {
                let (pid, stdoutFD, stderrFD) = try spawn(command)
                running.append(
                    Running(pid: pid, start: .now, end: nil, fds: [stdoutFD, stderrFD], output: [Data(), Data()]))
            }
        } catch {
            for child in running {
                kill(child.pid, SIGKILL)
                child.fds.forEach { _ = close($0) }
                var status: Int32 = 0
                waitpid(child.pid, &status, 0)
            }
            throw error
        }
        onStart(running.map(\.pid))

        var buffer = [UInt8](repeating: 0, count: 65_536)
        while running.contains(where: { $0.fds.contains { $0 >= 0 } }) {
            var pollFDs: [pollfd] = []
            var owners: [(Int, Int)] = []
            for (childIndex, child) in running.enumerated() {
                for (stream, fd) in child.fds.enumerated() where fd >= 0 {
                    pollFDs.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                    owners.append((childIndex, stream))
                }
            }
            let ready = poll(&pollFDs, nfds_t(pollFDs.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for (slot, entry) in pollFDs.enumerated() where entry.revents != 0 {
                let (childIndex, stream) = owners[slot]
                let count = read(entry.fd, &buffer, buffer.count)
                if count > 0 {
                    running[childIndex].output[stream].append(contentsOf: buffer[0..<count])
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(entry.fd)
                    running[childIndex].fds[stream] = -1
                    if running[childIndex].fds.allSatisfy({ $0 < 0 }) { running[childIndex].end = .now }
                }
            }
        }

        return running.map { child in
            var status: Int32 = 0
            var usage = rusage()
            while wait4(child.pid, &status, 0, &usage) < 0 && errno == EINTR {}
            let end = child.end ?? .now
            let cpu =
                Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
                + Double(Int(usage.ru_utime.tv_usec) + Int(usage.ru_stime.tv_usec)) / 1000
            #if os(Linux)
                let rss = Int64(usage.ru_maxrss) * 1024
            #else
                let rss = Int64(usage.ru_maxrss)
            #endif
            let exited = (status & 0x7f) == 0
            return ChildOutcome(
                exitCode: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                stdout: String(decoding: child.output[0], as: UTF8.self),
                stderr: String(decoding: child.output[1], as: UTF8.self),
                wallMs: (end - child.start).milliseconds, cpuMs: cpu, maxRSSBytes: rss)
        }
    }

    /// Spawns one child with stdout and stderr on fresh pipes and SIGINT/SIGTERM at their
    /// default dispositions (the agent itself ignores SIGINT while it handles Ctrl-C, and
    /// ignored signals would otherwise stay ignored across `exec`).
    private static func spawn(_ command: ChildCommand) throws -> (pid_t, Int32, Int32) {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw SpawnError.failed(command.executable, errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0])
            close(outPipe[1])
            throw SpawnError.failed(command.executable, errno)
        }
        // Close-on-exec everywhere: children started later (or by other threads) must not inherit
        // these pipes, or a pipe would stay open after its child exits. dup2 clears the flag on 1 and 2.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #if os(Linux)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t? = nil
            var attributes: posix_spawnattr_t? = nil
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, outPipe[0])
        posix_spawn_file_actions_addclose(&actions, errPipe[0])
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawn_file_actions_addclose(&actions, outPipe[1])
        posix_spawn_file_actions_addclose(&actions, errPipe[1])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = [command.executable] + command.arguments
        let envp = command.environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argvPointer in
            withCStrings(envp) { envPointer in
                command.executable.contains("/")
                    ? posix_spawn(&pid, command.executable, &actions, &attributes, argvPointer, envPointer)
                    : posix_spawnp(&pid, command.executable, &actions, &attributes, argvPointer, envPointer)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        guard result == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError.failed(command.executable, result)
        }
        return (pid, outPipe[0], errPipe[0])
    }

    /// Calls `body` with a NULL-terminated C array of the strings, valid only during the call.
    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R)
        -> R
    {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Duration {
    /// The duration in milliseconds as a floating-point number.
    var milliseconds: Double {
        let parts = components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
