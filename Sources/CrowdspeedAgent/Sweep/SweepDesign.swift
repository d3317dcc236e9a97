import CrowdspeedCore

/// What to sweep for one interpreter: the nursery grid, the process counts, and the JSON cases.
public struct SweepDesign: Sendable, Equatable {
    /// Nursery sizes in bytes, ascending; the interpreter default is always added as the control.
    public var nurseryGrid: [Int64]
    /// Per process count, the sizes of the server's plan for it, replacing ``nurseryGrid`` there.
    public var plannedGrids: [Int: [Int64]]
    /// Concurrent process counts, ascending and distinct.
    public var procs: [Int]
    /// Whether the GC sweep runs at all (PyPy only: CPython ignores `PYPY_GC_NURSERY`).
    public var includeGCBench: Bool
    /// JSON payload names from `jsonbench.py`.
    public var jsonPayloads: [String]
    /// JSON libraries importable by this interpreter.
    public var jsonLibraries: [String]

    public init(
        nurseryGrid: [Int64], plannedGrids: [Int: [Int64]] = [:], procs: [Int], includeGCBench: Bool,
        jsonPayloads: [String], jsonLibraries: [String]
    ) {
        self.nurseryGrid = Array(Set(nurseryGrid)).sorted()
        self.plannedGrids = plannedGrids.mapValues { Array(Set($0)).sorted() }
        self.procs = Array(Set(procs)).sorted()
        self.includeGCBench = includeGCBench
        self.jsonPayloads = jsonPayloads
        self.jsonLibraries = jsonLibraries
    }

    /// Every point, in a fixed canonical order (the shuffle starts from it).
    public var points: [SweepPoint] {
        var points: [SweepPoint] = []
        if includeGCBench {
            for procs in procs {
                points.append(.gcbench(nurseryBytes: nil, procs: procs))
                for nursery in grid(procs: procs) { points.append(.gcbench(nurseryBytes: nursery, procs: procs)) }
            }
        }
        for payload in jsonPayloads {
            for library in jsonLibraries { points.append(.json(payload: payload, library: library)) }
        }
        return points
    }

    /// The sizes swept at `procs`: its plan's, else the grid.
    public func grid(procs: Int) -> [Int64] { plannedGrids[procs] ?? nurseryGrid }

    /// The process counts the protocol uses: 1, half the physical cores, all physical cores,
    /// deduplicated and ascending (1 core → [1]; 2 → [1, 2]; 4 → [1, 2, 4]; 64 → [1, 32, 64]).
    ///
    /// Under a CPU quota (a container limited to 2 CPUs on a 64-core host) only the whole CPUs
    /// of the quota count as cores: more concurrent processes than that would take turns on
    /// them, and the curve would measure the scheduler instead of the caches.
    public static func processCounts(physicalCores: Int, cpuQuota: Double? = nil) -> [Int] {
        var cores = max(1, physicalCores)
        if let cpuQuota, cpuQuota.isFinite, cpuQuota > 0 { cores = max(1, min(cores, Int(cpuQuota.rounded(.down)))) }
        return Array(Set([1, max(1, cores / 2), cores])).sorted()
    }

    /// Powers of two from `minimum` to `maximum` inclusive (both rounded to powers of two).
    public static func powersOfTwo(from minimum: Int64, to maximum: Int64) -> [Int64] {
        var size = NurserySize.snapToPowerOfTwo(Double(max(1024, minimum)))
        let top = NurserySize.snapToPowerOfTwo(Double(maximum))
        var grid: [Int64] = []
        while size <= top {
            grid.append(size)
            size *= 2
        }
        return grid
    }

    /// The default grid, 256K…64M.
    public static let defaultGrid = NurserySize.sweepGrid
    /// The `--quick` grid: steps of 4× around the sizes that usually win.
    public static let quickGrid: [Int64] = [512 << 10, 2 << 20, 8 << 20, 32 << 20]
    /// All payloads of `jsonbench.py`.
    public static let allJSONPayloads = ["records", "nested", "text", "numbers"]
    /// The `--quick` payloads.
    public static let quickJSONPayloads = ["records"]
}
