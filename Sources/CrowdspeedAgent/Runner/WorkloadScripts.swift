import CrowdspeedCore
import Foundation

/// The Python workload scripts shipped as resources, with the versions they declare.
public struct WorkloadScripts: Sendable, Equatable {
    public var gcbenchPath: String
    public var jsonbenchPath: String
    /// `VERSION` of gcbench.py; the stretch-tree depth is appended when it is not the default,
    /// since a different size measures something else.
    public var gcbenchVersion: String
    public var jsonbenchVersion: String
    /// The stretch-tree depth passed to gcbench.py (17: about 0.5 s on PyPy 7.3 on a 2.6 GHz EPYC).
    public var gcbenchDepth: Int

    /// The default gcbench depth.
    public static let defaultDepth = 17

    /// The scripts embedded in the agent (``EmbeddedWorkloads``), written out once to a
    /// directory named by their content hash under `directory` (the system's temporary
    /// directory by default), so that the interpreters can run them as files. A directory that
    /// already holds the same content is reused; files are written whole (temporary name, then
    /// rename), so concurrent agents never read a half-written script.
    public static func bundled(gcbenchDepth: Int = defaultDepth, in directory: URL? = nil) throws -> WorkloadScripts {
        var files: [(name: String, data: Data)] = []
        var hash = FNV1a()
        for file in EmbeddedWorkloads.files {
            guard let data = Data(base64Encoded: file.base64) else { throw WorkloadError.missingScripts }
            files.append((file.name, data))
            hash.add(contentsOf: file.name.utf8)
            hash.add(contentsOf: data)
        }
        let base = directory ?? FileManager.default.temporaryDirectory
        let target = base.appendingPathComponent("crowdspeed-workloads-\(hash.hex)")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for (name, data) in files {
            let path = target.appendingPathComponent(name)
            if FileManager.default.contents(atPath: path.path) == data { continue }
            try data.write(to: path, options: .atomic)
        }
        return try WorkloadScripts(directory: target, gcbenchDepth: gcbenchDepth)
    }

    /// Reads the scripts in `directory` and their `VERSION` constants.
    public init(directory: URL, gcbenchDepth: Int = defaultDepth) throws {
        gcbenchPath = directory.appendingPathComponent("gcbench.py").path
        jsonbenchPath = directory.appendingPathComponent("jsonbench.py").path
        let gcVersion = try Self.version(of: gcbenchPath)
        gcbenchVersion = gcbenchDepth == Self.defaultDepth ? gcVersion : "\(gcVersion)-d\(gcbenchDepth)"
        jsonbenchVersion = try Self.version(of: jsonbenchPath)
        self.gcbenchDepth = gcbenchDepth
    }

    /// The value of the script's `VERSION = "…"` line.
    static func version(of path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw WorkloadError.missingScripts }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VERSION = ") {
            return line.dropFirst("VERSION = ".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        }
        throw WorkloadError.noVersion(path)
    }

    /// Arguments for one run of `point`.
    func arguments(for point: SweepPoint) -> [String] {
        switch point {
        case .gcbench: [gcbenchPath, String(gcbenchDepth)]
        case .json(let payload, let library): [jsonbenchPath, payload, library]
        }
    }
}

/// Problems with the bundled scripts.
public enum WorkloadError: Error, CustomStringConvertible {
    case missingScripts
    case noVersion(String)

    public var description: String {
        switch self {
        case .missingScripts: "the workload scripts embedded in the agent cannot be read"
        case .noVersion(let path): "\(path) declares no VERSION"
        }
    }
}

/// The one `CROWDSPEED {json}` line a workload prints.
public struct WorkloadRecord: Decodable, Sendable, Equatable {
    public var benchmark: String
    public var version: String
    public var wallMs: Double?
    public var cpuMs: Double?
    public var payload: String?
    public var library: String?
    public var dumpsWallMs: Double?
    public var dumpsCPUMs: Double?
    public var loadsWallMs: Double?
    public var loadsCPUMs: Double?

    enum CodingKeys: String, CodingKey {
        case benchmark, version
        case wallMs = "wall_ms"
        case cpuMs = "cpu_ms"
        case payload, library
        case dumpsWallMs = "dumps_wall_ms"
        case dumpsCPUMs = "dumps_cpu_ms"
        case loadsWallMs = "loads_wall_ms"
        case loadsCPUMs = "loads_cpu_ms"
    }

    /// The record in a script's stdout, or nil when there is not exactly one well-formed line.
    public static func parse(stdout: String) -> WorkloadRecord? {
        let lines = stdout.split(separator: "\n").filter { $0.hasPrefix("CROWDSPEED ") }
        guard lines.count == 1 else { return nil }
        return try? JSONDecoder().decode(WorkloadRecord.self, from: Data(lines[0].dropFirst("CROWDSPEED ".count).utf8))
    }
}
