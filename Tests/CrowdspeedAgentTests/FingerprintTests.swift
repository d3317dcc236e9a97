import CrowdspeedCore
import Foundation
import Testing
@testable import CrowdspeedAgent

/// Fingerprint parsing on recorded sysfs/procfs trees of several real layouts.
@Suite struct FingerprintTests {
    /// A probe rooted at a recorded tree in Fixtures/.
    func probe(_ name: String, arch: String = "x86_64") throws -> MachineInfo {
        let root = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent(
            name)
        return try LinuxProbe(root: root, arch: arch).machineInfo()
    }

    func cache(_ level: Int, _ type: CacheType, _ kib: Int64, _ sharedBy: Int) -> CacheInfo {
        CacheInfo(level: level, type: type, sizeBytes: kib << 10, sharedBy: sharedBy)
    }

    @Test func amdEpycRecordedFromThisMachineShowsL2InCpuinfo() throws {
        let machine = try probe("amd-epyc-2core")
        #expect(machine.cpuVendor == "AuthenticAMD")
        #expect(machine.cpuModel == "AMD EPYC")
        #expect(machine.physicalCores == 2)
        #expect(machine.logicalCPUs == 2)
        #expect(
            machine.caches == [
                cache(1, .data, 32, 1), cache(1, .instruction, 32, 1), cache(2, .unified, 1024, 1),
                cache(3, .unified, 32768, 2),
            ])
        // PyPy reads this line: on AMD it is the per-core L2.
        #expect(machine.cpuinfoCacheBytes == 1024 << 10)
        #expect(machine.cpuinfoCacheBytes == machine.cacheBytes(level: 2))
        #expect(machine.virtualized)
        #expect(machine.cpuQuota == nil) // cgroup v1 quota of -1 means unlimited
        #expect(machine.memoryBytes == 24_684_084 * 1024)
        #expect(machine.osVersion == "Debian GNU/Linux 12 (bookworm)")
        #expect(machine.kernel == "6.18.44-fc-v669")
        #expect(machine.os == "Linux")
    }

    @Test func intelWithSMTShowsL3InCpuinfoAndCountsPhysicalCores() throws {
        let machine = try probe("intel-i7-8700-smt")
        #expect(machine.cpuVendor == "GenuineIntel")
        #expect(machine.cpuModel == "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz")
        #expect(machine.physicalCores == 6)
        #expect(machine.logicalCPUs == 12)
        #expect(
            machine.caches == [
                cache(1, .data, 32, 2), cache(1, .instruction, 32, 2), cache(2, .unified, 256, 2),
                cache(3, .unified, 12288, 12),
            ])
        #expect(machine.cpuinfoCacheBytes == 12288 << 10)
        #expect(machine.cpuinfoCacheBytes == machine.cacheBytes(level: 3))
        #expect(!machine.virtualized)
        #expect(machine.cpuQuota == nil) // "max 100000"
        #expect(machine.osVersion == "Ubuntu 22.04.4 LTS")
    }

    @Test func smtOffVirtualMachine() throws {
        let machine = try probe("intel-xeon-vm-nosmt")
        #expect(machine.physicalCores == 4)
        #expect(machine.logicalCPUs == 4)
        #expect(
            machine.caches == [
                cache(1, .data, 32, 1), cache(1, .instruction, 32, 1), cache(2, .unified, 1024, 1),
                cache(3, .unified, 28160, 4),
            ])
        #expect(machine.cpuinfoCacheBytes == 28160 << 10)
        #expect(machine.virtualized)
    }

    @Test func noL3() throws {
        let machine = try probe("intel-celeron-no-l3")
        #expect(machine.caches == [cache(1, .data, 24, 1), cache(1, .instruction, 32, 1), cache(2, .unified, 1024, 2)])
        #expect(machine.cacheBytes(level: 3) == nil)
        #expect(machine.cpuinfoCacheBytes == 1024 << 10)
        #expect(machine.physicalCores == 2)
        #expect(machine.osVersion == "Alpine Linux v3.20")
        #expect(machine.memoryBytes == 3_887_560 * 1024)
    }

    @Test func containerCPUQuota() throws {
        let machine = try probe("amd-ryzen-container-quota")
        #expect(machine.cpuQuota == 1.5)
        #expect(machine.physicalCores == 8)
        #expect(machine.logicalCPUs == 16)
        #expect(machine.cpuinfoCacheBytes == 512 << 10)
        #expect(machine.caches.contains(cache(3, .unified, 32768, 16)))
        #expect(machine.caches.contains(cache(2, .unified, 512, 2)))
        #expect(machine.caches.count == 4)
    }

    @Test func aarch64NamesTheCoreFromImplementerAndPart() throws {
        let machine = try probe("aarch64-graviton2", arch: "aarch64")
        #expect(machine.arch == "aarch64")
        #expect(machine.cpuVendor == "ARM")
        #expect(machine.cpuModel == "ARM Neoverse-N1")
        #expect(machine.cpuinfoCacheBytes == nil)
        // No core ids in arm64 cpuinfo: counted from sysfs thread siblings.
        #expect(machine.physicalCores == 4)
        #expect(machine.logicalCPUs == 4)
        #expect(
            machine.caches == [
                cache(1, .data, 64, 1), cache(1, .instruction, 64, 1), cache(2, .unified, 1024, 1),
                cache(3, .unified, 32768, 4),
            ])
        #expect(machine.virtualized) // DMI says Amazon EC2; arm64 has no hypervisor flag
    }

    @Test func everyFixtureProducesAValidSubmissionMachine() throws {
        for name in [
            "amd-epyc-2core", "intel-i7-8700-smt", "intel-xeon-vm-nosmt", "intel-celeron-no-l3",
            "amd-ryzen-container-quota", "aarch64-graviton2",
        ] {
            let machine = try probe(name)
            let submission = Submission(
                id: UUID(), createdAt: Date(timeIntervalSince1970: 1_780_000_000), agent: AgentIdentity.info,
                source: .agent,
                machine: machine,
                interpreter: InterpreterInfo(
                    implementation: "PyPy", version: "7.3.11", languageVersion: "3.9.16", executable: "pypy3"),
                results: [
                    BenchmarkResult(
                        benchmark: "gcbench", benchmarkVersion: "1", params: ResultParams(procs: 1),
                        samples: [Sample(wallMs: 1, cpuMs: 1, maxRSSBytes: 1, round: 0, foreignLoad: 0)])
                ])
            #expect(submission.validationIssues(now: Date(timeIntervalSince1970: 1_780_000_000)) == [], "\(name)")
        }
    }

    @Test func macOSAppleSiliconUsesPerformanceCoreCaches() throws {
        let text = try String(
            contentsOf: #require(
                Bundle.module.url(forResource: "Fixtures/macos/sysctl-apple-m1", withExtension: "txt")), encoding: .utf8
        )
        let machine = try SysctlProbe(output: text).machineInfo()
        #expect(machine.os == "macOS")
        #expect(machine.osVersion == "14.4.1")
        #expect(machine.arch == "arm64")
        #expect(machine.cpuVendor == "Apple")
        #expect(machine.cpuModel == "Apple M1")
        #expect(machine.physicalCores == 8)
        #expect(machine.memoryBytes == 16 << 30)
        #expect(
            machine.caches == [
                CacheInfo(level: 1, type: .data, sizeBytes: 128 << 10, sharedBy: 1),
                CacheInfo(level: 1, type: .instruction, sizeBytes: 192 << 10, sharedBy: 1),
                CacheInfo(level: 2, type: .unified, sizeBytes: 12 << 20, sharedBy: 4),
            ])
        #expect(!machine.virtualized)
    }

    @Test func macOSIntelReadsCacheConfigSharing() throws {
        let text = try String(
            contentsOf: #require(
                Bundle.module.url(forResource: "Fixtures/macos/sysctl-intel-i9", withExtension: "txt")), encoding: .utf8
        )
        let machine = try SysctlProbe(output: text).machineInfo()
        #expect(machine.cpuVendor == "GenuineIntel")
        #expect(machine.physicalCores == 8)
        #expect(machine.logicalCPUs == 16)
        #expect(machine.cacheBytes(level: 3) == 16 << 20)
        #expect(machine.caches.first { $0.level == 3 }?.sharedBy == 16)
        #expect(machine.caches.first { $0.level == 2 }?.sharedBy == 2)
    }

    @Test(arguments: [
        ("32K", Int64(32 << 10)), ("1024 KB", 1 << 20), ("24684084 kB", 24_684_084 << 10), ("8M", 8 << 20),
        ("512", 512),
    ])
    func byteSizes(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test func cpuLists() {
        #expect(CPUList.parse("0-3,8-11") == Set([0, 1, 2, 3, 8, 9, 10, 11]))
        #expect(CPUList.parse("0,6\n") == Set([0, 6]))
        #expect(CPUList.parse("x") == nil)
    }

    @Test func tableHasNoHostname() throws {
        let machine = try probe("amd-epyc-2core")
        let table = machine.table
        #expect(table.contains("L2 unified          1 MiB, shared by 1 CPU"))
        #expect(table.contains("cpuinfo cache size"))
        // Only meaningful for a hostname long enough not to occur by chance.
        let host = ProcessInfo.processInfo.hostName
        if host.count >= 4 { #expect(!table.contains(host)) }
    }
}
