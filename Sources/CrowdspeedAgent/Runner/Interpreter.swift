import CrowdspeedCore
import Foundation

/// A Python interpreter found on this machine, with what the sweep needs to know about it.
public struct Interpreter: Sendable, Equatable {
    /// What is run: a bare command name found on PATH (`pypy3`) or the path given with `--python`.
    public var command: String
    /// The resolved path that is executed.
    public var path: String
    public var info: InterpreterInfo
    /// Whether `simplejson` is importable.
    public var hasSimplejson: Bool

    /// PyPy honours `PYPY_GC_NURSERY`; other implementations do not.
    public var isPyPy: Bool { info.implementation == "PyPy" }

    /// The `-c` script that describes an interpreter in one JSON line. Python 3.6+ syntax.
    static let probeScript = """
        import json, platform, sys
        try:
            import importlib.util
            sj = importlib.util.find_spec("simplejson") is not None
        except Exception:
            sj = False
        v = getattr(sys, "pypy_version_info", None)
        print(json.dumps({"implementation": platform.python_implementation(),
            "version": "%d.%d.%d" % tuple(v[:3]) if v else platform.python_version(),
            "language_version": platform.python_version(), "simplejson": sj}))
        """

    /// Runs the probe script. Returns nil when the program does not run or is not Python 3.
    public static func probe(command: String, path: String, environment: [String: String]) -> Interpreter? {
        struct Reply: Decodable {
            var implementation: String
            var version: String
            var language_version: String
            var simplejson: Bool
        }
        let run = ChildCommand(executable: path, arguments: ["-c", probeScript], environment: environment)
        guard let outcome = try? ChildProcess.runConcurrently([run]).first, outcome.succeeded,
            let line = outcome.stdout.split(separator: "\n").last,
            let reply = try? JSONDecoder().decode(Reply.self, from: Data(line.utf8)),
            reply.language_version.hasPrefix("3.")
        else { return nil }
        let info = InterpreterInfo(
            implementation: reply.implementation, version: reply.version,
            languageVersion: reply.language_version, executable: command)
        return Interpreter(command: command, path: path, info: info, hasSimplejson: reply.simplejson)
    }

    /// Finds `pypy3`, `pypy` and `python3` on `PATH` (unless `searchPath` is false), plus the explicit `extra` paths, and probes
    /// each once (several names often lead to the same binary; those are kept once, first name wins).
    ///
    /// The recorded `executable` is the bare command name for PATH finds, since a full path can
    /// contain the user's name; explicit `--python` values are recorded as given.
    public static func discover(extra: [String], environment: [String: String], searchPath: Bool = true)
        -> [Interpreter]
    {
        var candidates: [(command: String, path: String)] = []
        for name in searchPath ? ["pypy3", "pypy", "python3"] : [] {
            if let path = findOnPath(name, environment: environment) { candidates.append((name, path)) }
        }
        for path in extra { candidates.append((path, path)) }
        var seen = Set<String>()
        var found: [Interpreter] = []
        for candidate in candidates {
            let real = URL(fileURLWithPath: candidate.path).resolvingSymlinksInPath().path
            guard seen.insert(real).inserted else { continue }
            if let interpreter = probe(command: candidate.command, path: candidate.path, environment: environment) {
                // pyenv-style shims resolve to one script for many versions; dedupe on what they report too.
                let key =
                    "\(interpreter.info.implementation) \(interpreter.info.version) \(interpreter.info.languageVersion)"
                guard seen.insert(key).inserted else { continue }
                found.append(interpreter)
            }
        }
        return found
    }

    /// The first executable `name` in the `PATH` directories.
    static func findOnPath(_ name: String, environment: [String: String]) -> String? {
        let directories = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
