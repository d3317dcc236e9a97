import CrowdspeedFit

/// The hardware a fitting route is asked about, read the same way by every route that takes it
/// (`/api/v1/recommendations/nursery` and `/api/v1/plan`).
struct HardwareQuery {
    /// The parameters that describe hardware.
    static let parameters: Set<String> = [
        "l2_bytes", "l3_bytes", "physical_cores", "arch", "cpu_vendor", "cpuinfo_cache_bytes",
    ]

    var features: MachineFeatures
    /// The normalized values, to identify an answer in its ETag.
    var cacheKey: [String]

    /// `procs`, 1 when absent.
    static func procs(_ query: QueryReader) throws -> Int {
        Int(try query.integer("procs", in: 1...4096) ?? 1)
    }

    /// `pypy_version`, nil when absent.
    static func pypyVersion(_ query: QueryReader) throws -> String? {
        let version = try query.identifier("pypy_version", maxLength: 32)
        if let version, !(version.first?.isNumber ?? false) {
            throw APIError.badParameter("pypy_version", "must be a PyPy version such as 7.3.17")
        }
        return version
    }

    /// The hardware parameters at `procs`; every refusal names its parameter.
    /// - Parameter alternative: how else the route can be asked, for the "is required" messages.
    static func read(_ query: QueryReader, procs: Int, alternative: String? = nil) throws -> HardwareQuery {
        let orElse = alternative.map { " (or \($0))" } ?? ""
        guard let l2 = try query.integer("l2_bytes", in: 1024...(1 << 32)) else {
            throw APIError.badParameter("l2_bytes", "is required\(orElse)")
        }
        let l3 = try query.integer("l3_bytes", in: 0...(1 << 36))
        guard let cores = try query.integer("physical_cores", in: 1...4096) else {
            throw APIError.badParameter("physical_cores", "is required\(orElse)")
        }
        guard let arch = try query.identifier("arch") else {
            throw APIError.badParameter("arch", "is required, e.g. x86_64")
        }
        guard let vendor = try query.identifier("cpu_vendor") else {
            throw APIError.badParameter("cpu_vendor", "is required, e.g. GenuineIntel, AuthenticAMD, ARM")
        }
        let cpuinfo = try query.integer("cpuinfo_cache_bytes", in: 1...(1 << 36))
        let features = MachineFeatures(
            l2Bytes: l2, l3Bytes: l3, physicalCores: Int(cores), procs: procs, arch: arch, cpuVendor: vendor,
            cpuinfoCacheBytes: cpuinfo)
        return HardwareQuery(
            features: features,
            cacheKey: [
                String(l2), l3.map(String.init) ?? "", String(cores), String(procs), features.arch, vendor,
                cpuinfo.map(String.init) ?? "",
            ])
    }
}
