import CrowdspeedCore
import Foundation

/// Which gcbench timing a comparison row is about.
public enum NurserySetting: String, Sendable, Hashable, Codable, CaseIterable {
    /// The interpreter's own default nursery (`PYPY_GC_NURSERY` unset): what users get.
    case `default`
    /// The machine's best measured setting in that run: what the GC can do when tuned, so a
    /// change here is the GC's own, not a change of the default rule.
    case best
}

/// The parameters of a compared benchmark as the API shows them (`{"procs": 2, "nursery":
/// "default"}`, `{"payload": "records", "library": "json"}`); absent fields are omitted.
public struct ComparisonParams: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var procs: Int?
    public var nursery: NurserySetting?
    public var payload: String?
    public var library: String?

    public init(procs: Int? = nil, nursery: NurserySetting? = nil, payload: String? = nil, library: String? = nil) {
        self.procs = procs
        self.nursery = nursery
        self.payload = payload
        self.library = library
    }

    /// `procs=2,nursery=default`, `payload=records,library=json`: a stable text form.
    public var description: String {
        var parts: [String] = []
        if let procs { parts.append("procs=\(procs)") }
        if let nursery { parts.append("nursery=\(nursery.rawValue)") }
        if let payload { parts.append("payload=\(payload)") }
        if let library { parts.append("library=\(library)") }
        return parts.joined(separator: ",")
    }

    /// Procs numerically, then the other fields as text: rows read 1, 2, 8, 16, not 1, 16, 2, 8.
    public static func < (lhs: ComparisonParams, rhs: ComparisonParams) -> Bool {
        let left = (lhs.procs ?? 0, lhs.nursery?.rawValue ?? "", lhs.payload ?? "", lhs.library ?? "")
        let right = (rhs.procs ?? 0, rhs.nursery?.rawValue ?? "", rhs.payload ?? "", rhs.library ?? "")
        return left < right
    }
}

/// One compared quantity: a benchmark, its script version and its parameters. Timings of
/// different script versions measure different things and are never paired.
public struct BenchmarkKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var benchmark: String
    public var benchmarkVersion: String
    public var params: ComparisonParams

    public init(benchmark: String, benchmarkVersion: String, params: ComparisonParams) {
        self.benchmark = benchmark
        self.benchmarkVersion = benchmarkVersion
        self.params = params
    }

    enum CodingKeys: String, CodingKey {
        case benchmark
        case benchmarkVersion = "benchmark_version"
        case params
    }

    /// `gcbench@1 procs=1,nursery=default`.
    public var description: String { "\(benchmark)@\(benchmarkVersion) \(params)" }

    public static func < (lhs: BenchmarkKey, rhs: BenchmarkKey) -> Bool {
        if lhs.benchmark != rhs.benchmark { return lhs.benchmark < rhs.benchmark }
        if lhs.benchmarkVersion != rhs.benchmarkVersion { return lhs.benchmarkVersion < rhs.benchmarkVersion }
        return lhs.params < rhs.params
    }
}

/// An interpreter: implementation and version (`PyPy` `7.3.17`, `CPython` `3.12.3`).
public struct InterpreterKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var implementation: String
    public var version: String

    public init(implementation: String, version: String) {
        self.implementation = implementation
        self.version = version
    }

    /// `PyPy 7.3.17`.
    public var description: String { "\(implementation) \(version)" }

    /// True when `implementation` names the same implementation, ignoring case (`pypy`, `PyPy`).
    public func isImplementation(_ implementation: String) -> Bool {
        self.implementation.lowercased() == implementation.lowercased()
    }

    /// True when version `a` sorts before `b`: numerically by components (`7.3.9` before
    /// `7.3.11`), by text when the numbers are equal, so the order is total.
    public static func versionPrecedes(_ a: String, _ b: String) -> Bool {
        let (x, y) = (numericComponents(a), numericComponents(b))
        return x == y ? a < b : x.lexicographicallyPrecedes(y)
    }

    /// The numbers in a version string (`7.3.16-final` → [7, 3, 16]).
    static func numericComponents(_ version: String) -> [Int] {
        version.split(whereSeparator: { !$0.isNumber }).prefix(6).compactMap { Int($0) }
    }
}

/// Which interpreter one side of a pairing takes on each machine.
public enum InterpreterSelection: Sendable, Hashable, CustomStringConvertible {
    /// Exactly this implementation and version.
    case exactly(InterpreterKey)
    /// The newest version of this implementation that the machine measured: for cross-
    /// implementation speedups, where machines run whichever versions they have.
    case newest(implementation: String)

    /// `PyPy 7.3.17` or `newest PyPy`.
    public var description: String {
        switch self {
        case .exactly(let key): key.description
        case .newest(let implementation): "newest \(implementation)"
        }
    }

    /// The implementation this selection takes.
    public var implementation: String {
        switch self {
        case .exactly(let key): key.implementation
        case .newest(let implementation): implementation
        }
    }

    /// The interpreter chosen from `measured` (what one machine measured for one key), nil
    /// when none fits.
    public func pick(from measured: [InterpreterKey]) -> InterpreterKey? {
        switch self {
        case .exactly(let key):
            return measured.first { $0.isImplementation(key.implementation) && $0.version == key.version }
        case .newest(let implementation):
            return measured.filter { $0.isImplementation(implementation) }
                .max { InterpreterKey.versionPrecedes($0.version, $1.version) }
        }
    }
}
