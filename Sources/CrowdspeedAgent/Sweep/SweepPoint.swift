import CrowdspeedCore

/// One cell of the sweep design: what one sample (or, for procs = k, k concurrent samples) runs.
public enum SweepPoint: Sendable, Hashable, CustomStringConvertible {
    /// The GC benchmark with `PYPY_GC_NURSERY` set to `nurseryBytes` (nil: unset, the
    /// interpreter's default — the control) in `procs` concurrent processes.
    case gcbench(nurseryBytes: Int64?, procs: Int)
    /// JSON dumps and loads of one generated payload with one library, one process.
    case json(payload: String, library: String)

    public var description: String {
        switch self {
        case .gcbench(let nursery, let procs):
            "gcbench nursery=\(nursery.map(NurserySize.format) ?? "default") procs=\(procs)"
        case .json(let payload, let library):
            "json \(payload) (\(library))"
        }
    }

    /// Processes this point starts at once.
    public var processCount: Int {
        if case .gcbench(_, let procs) = self { return procs }
        return 1
    }
}
