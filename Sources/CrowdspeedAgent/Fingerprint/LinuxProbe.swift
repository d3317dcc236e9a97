import CrowdspeedCore
import Foundation

/// Reads a Linux machine's hardware facts from procfs and sysfs under a configurable root, so
/// tests point it at recorded trees and the agent at `/`.
///
/// It reads only hardware and OS facts; nothing that names the machine or its owner (hostname,
/// user, MAC addresses, serial numbers) is read at all.
public struct LinuxProbe: Sendable {
    /// The directory that plays the role of `/`.
    public var root: URL
    /// The machine architecture (`uname -m`); injected because recorded trees do not carry it.
    public var arch: String
    /// The kernel release; when nil it is read from `proc/sys/kernel/osrelease` under `root`.
    public var kernel: String?

    /// A probe of the running machine.
    public static func live() -> LinuxProbe {
        LinuxProbe(root: URL(fileURLWithPath: "/"), arch: Uname.machine(), kernel: nil)
    }

    public init(root: URL, arch: String, kernel: String? = nil) {
        self.root = root
        self.arch = arch
        self.kernel = kernel
    }

    /// Collects everything into the wire form.
    ///
    /// - Throws: ``ProbeError`` when `/proc/cpuinfo` or `/proc/meminfo` cannot be read; the other
    ///   sources are optional and fall back (no cache topology, logical count as cores, no quota).
    public func machineInfo() throws -> MachineInfo {
        guard let cpuinfoText = read("proc/cpuinfo") else { throw ProbeError.unreadable("/proc/cpuinfo") }
        let cpuinfo = CPUInfo(text: cpuinfoText)
        guard let memory = memTotal() else { throw ProbeError.unreadable("/proc/meminfo MemTotal") }
        let cpus = cpuDirectories()
        let logical = max(cpuinfo.logicalCPUs, cpus.count, 1)
        let physical = min(logical, cpuinfo.physicalCores ?? sysfsPhysicalCores(cpus) ?? logical)

        var vendor = cpuinfo.vendorID
        var model = cpuinfo.modelName
        if vendor == nil || model == nil,
            let arm = ARMCPUNames.describe(implementer: cpuinfo.implementer, part: cpuinfo.part)
        {
            vendor = vendor ?? arm.vendor
            model = model ?? arm.model
        }
        let virtualized = cpuinfo.flags.contains("hypervisor") || hypervisorFromSysfs()
        return MachineInfo(
            arch: arch, os: "Linux", osVersion: osRelease() ?? "",
            kernel: kernel ?? read("proc/sys/kernel/osrelease")?.trimmed ?? "",
            cpuVendor: vendor ?? "unknown", cpuModel: model ?? "unknown", physicalCores: physical, logicalCPUs: logical,
            memoryBytes: memory, caches: caches(cpus), cpuinfoCacheBytes: cpuinfo.cacheSizeBytes,
            virtualized: virtualized, cpuQuota: cpuQuota())
    }

    // MARK: - Sources

    /// The `cpuN` directory names under `sys/devices/system/cpu`, sorted by number.
    func cpuDirectories() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path("sys/devices/system/cpu"))) ?? []
        return names.filter { $0.hasPrefix("cpu") && Int($0.dropFirst(3)) != nil }
            .sorted { Int($0.dropFirst(3))! < Int($1.dropFirst(3))! }
    }

    /// Cache instances from every CPU's `cache/index*`, deduplicated: a cache shared by n CPUs
    /// appears under each of them, but one instance is one (level, type, size, shared set).
    func caches(_ cpus: [String]) -> [CacheInfo] {
        struct Instance: Hashable {
            var level: Int
            var type: CacheType
            var size: Int64
            var shared: Set<Int>
        }
        var instances = Set<Instance>()
        for cpu in cpus {
            let base = "sys/devices/system/cpu/\(cpu)/cache"
            let indices = ((try? FileManager.default.contentsOfDirectory(atPath: path(base))) ?? []).filter {
                $0.hasPrefix("index")
            }
            for index in indices {
                let dir = "\(base)/\(index)"
                guard let level = read("\(dir)/level").flatMap({ Int($0.trimmed) }),
                    let type = read("\(dir)/type").flatMap({ Self.cacheType($0.trimmed) }),
                    let size = read("\(dir)/size").flatMap({ ByteSize.parse($0.trimmed) }), size > 0
                else { continue }
                let cpuNumber = Int(cpu.dropFirst(3)) ?? 0
                let shared = read("\(dir)/shared_cpu_list").flatMap { CPUList.parse($0) } ?? [cpuNumber]
                instances.insert(Instance(level: level, type: type, size: size, shared: shared))
            }
        }
        let unique = Set(
            instances.map {
                CacheInfo(level: $0.level, type: $0.type, sizeBytes: $0.size, sharedBy: max(1, $0.shared.count))
            })
        return unique.sorted {
            ($0.level, $0.type.rawValue, $0.sizeBytes, $0.sharedBy) < (
                $1.level, $1.type.rawValue, $1.sizeBytes, $1.sharedBy
            )
        }
    }

    /// Maps sysfs cache types (`Data`, `Instruction`, `Unified`) to the wire enum.
    static func cacheType(_ text: String) -> CacheType? {
        switch text.lowercased() {
        case "data": .data
        case "instruction": .instruction
        case "unified": .unified
        default: nil
        }
    }

    /// Physical cores from sysfs topology: one core per distinct thread-sibling set. Used when
    /// cpuinfo has no `core id` lines (arm64).
    func sysfsPhysicalCores(_ cpus: [String]) -> Int? {
        var sets = Set<Set<Int>>()
        for cpu in cpus {
            let topology = "sys/devices/system/cpu/\(cpu)/topology"
            if let list = (read("\(topology)/core_cpus_list") ?? read("\(topology)/thread_siblings_list")).flatMap({
                CPUList.parse($0)
            }) {
                sets.insert(list)
            }
        }
        return sets.isEmpty ? nil : sets.count
    }

    /// `MemTotal` in bytes.
    func memTotal() -> Int64? {
        guard let text = read("proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            return ByteSize.parse(String(line.dropFirst("MemTotal:".count)))
        }
        return nil
    }

    /// `PRETTY_NAME` from os-release, else `NAME VERSION_ID`.
    func osRelease() -> String? {
        guard let text = read("etc/os-release") ?? read("usr/lib/os-release") else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            fields[String(line[..<equals])] = value
        }
        if let pretty = fields["PRETTY_NAME"], !pretty.isEmpty { return pretty }
        return [fields["NAME"], fields["VERSION_ID"]].compactMap { $0 }.joined(separator: " ")
    }

    /// CPUs' worth of time the cgroup allows: cgroup v2 `cpu.max` (`quota period` or `max period`),
    /// else cgroup v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1 = unlimited). Nil when unlimited.
    func cpuQuota() -> Double? {
        if let text = read("sys/fs/cgroup/cpu.max") {
            let fields = text.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2, let quota = Double(fields[0]), let period = Double(fields[1]), quota > 0,
                period > 0
            else { return nil }
            return quota / period
        }
        for dir in ["sys/fs/cgroup/cpu", "sys/fs/cgroup/cpu,cpuacct"] {
            if let quota = read("\(dir)/cpu.cfs_quota_us").flatMap({ Double($0.trimmed) }),
                let period = read("\(dir)/cpu.cfs_period_us").flatMap({ Double($0.trimmed) })
            {
                return quota > 0 && period > 0 ? quota / period : nil
            }
        }
        return nil
    }

    /// Virtualization signs beyond the x86 `hypervisor` flag (which arm64 guests lack): a Xen
    /// `/sys/hypervisor/type`, or a DMI vendor/product naming a hypervisor or cloud VM.
    func hypervisorFromSysfs() -> Bool {
        if let type = read("sys/hypervisor/type"), !type.trimmed.isEmpty { return true }
        let dmi = [read("sys/class/dmi/id/sys_vendor"), read("sys/class/dmi/id/product_name")].compactMap {
            $0?.lowercased()
        }
        let markers = [
            "qemu", "kvm", "vmware", "virtualbox", "xen", "amazon ec2", "google compute engine", "virtual machine",
            "bochs", "parallels", "cloud hypervisor",
        ]
        return dmi.contains { text in markers.contains { text.contains($0) } }
    }

    // MARK: - Files

    private func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The file's text, or nil when missing or unreadable (sysfs files may refuse reads).
    private func read(_ relative: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path(relative)) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Why the machine could not be fingerprinted.
public enum ProbeError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case unsupportedPlatform(String)

    public var description: String {
        switch self {
        case .unreadable(let what): "cannot read \(what)"
        case .unsupportedPlatform(let what): "fingerprinting is not supported on \(what)"
        }
    }
}

extension String {
    /// The text without surrounding whitespace and newlines.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
