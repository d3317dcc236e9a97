import Foundation
import Synchronization
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The shared "stop now" state between a Ctrl-C handler and the sweep: a flag, plus the children
/// running at the moment so they can be killed instead of finishing their sample.
public final class Interruption: Sendable {
    private struct State {
        var interrupted = false
        var children: Set<pid_t> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether a stop was requested.
    public var isInterrupted: Bool { state.withLock { $0.interrupted } }

    /// Requests a stop and kills the running children.
    public func interrupt() {
        let children = state.withLock { state -> Set<pid_t> in
            state.interrupted = true
            return state.children
        }
        for pid in children { Self.killChild(pid) }
    }

    /// Records running children; if a stop already came, they are killed at once.
    func register(_ pids: [pid_t]) {
        let kill = state.withLock { state -> Bool in
            state.children.formUnion(pids)
            return state.interrupted
        }
        if kill { for pid in pids { Self.killChild(pid) } }
    }

    /// Forgets children that were reaped.
    func unregister(_ pids: [pid_t]) {
        state.withLock { $0.children.subtract(pids) }
    }

    /// Routes SIGINT (Ctrl-C) to ``interrupt()`` for as long as the returned source is kept.
    ///
    /// The process-wide disposition becomes "ignore" so the default action (exit) does not race
    /// the handler; children get SIGINT back at its default when spawned.
    public func installSIGINTHandler(onInterrupt: @escaping @Sendable () -> Void = {}) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            self.interrupt()
            onInterrupt()
        }
        source.resume()
        return source
    }
}

extension Interruption {
    /// Stops routing SIGINT to the handler and gives it back its default action (exit).
    public func restoreDefaultSIGINT(_ source: any DispatchSourceSignal) {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    /// SIGKILL, named so it is not shadowed by local `kill` flags.
    fileprivate static func killChild(_ pid: pid_t) {
        _ = kill(pid, SIGKILL)
    }
}
