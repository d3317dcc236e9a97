import Foundation

/// The machine a benchmark ran on, as BENCHMARKS.md states it: CPUs, CPU model, memory, kernel
/// and the load average (this is a shared VM; figures from a loaded machine say so).
enum BenchMachine {
    /// One line per fact, ready to print.
    static func description() -> String {
        let info = ProcessInfo.processInfo
        let memoryGiB = Double(info.physicalMemory) / Double(1 << 30)
        let load =
            (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "unknown"
        var uts = utsname()
        uname(&uts)
        let release = withUnsafeBytes(of: &uts.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return """
            machine: \(info.activeProcessorCount) CPUs (nproc), \(RefitBench.cpuModel()), \(String(format: "%.1f", memoryGiB)) GiB RAM, \
            kernel \(release), load average \(load)
            """
    }

    /// The 1-minute load average now.
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init)
            ?? "?"
    }

    /// Prints a result line and flushes it, so that a long benchmark piped to a file shows each
    /// figure as soon as it is measured (and keeps it if the run is stopped).
    static func emit(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Warns on stderr when this is a debug build, whose figures mean nothing.
    static func warnIfDebug() {
        #if DEBUG
            FileHandle.standardError.write(
                Data("warning: debug build; time a release build (swift build -c release)\n".utf8))
        #endif
    }
}
