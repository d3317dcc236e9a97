import CrowdspeedCore
@testable import CrowdspeedFit
import Foundation
import Testing

@Suite("PyPy's own default rule")
struct PyPyDefaultRuleTests {
    let intel = MachineFeatures(l2Bytes: mib, l3Bytes: 30 * mib, physicalCores: 8, procs: 1, cpuVendor: "GenuineIntel")
    let amd = MachineFeatures(
        l2Bytes: 512 * kib, l3Bytes: 32 * mib, physicalCores: 2, procs: 1, cpuVendor: "AuthenticAMD")
    let arm = MachineFeatures(l2Bytes: mib, l3Bytes: nil, physicalCores: 4, procs: 1, arch: "arm64", cpuVendor: "ARM")

    @Test("7.3.11: half the cpuinfo size above 2 MiB, else 1 MiB; L3 on Intel, L2 on AMD")
    func old() {
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.11", features: intel) == 15 * mib)
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.11", features: amd) == mib)
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.15", features: arm) == mib)
        var small = intel
        small.l3Bytes = 2 * mib
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.11", features: small) == mib)
    }

    @Test("7.3.16 and later: half above 8 MiB, else 4 MiB")
    func new() {
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.16", features: intel) == 15 * mib)
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.17", features: amd) == 4 * mib)
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.16-final", features: arm) == 4 * mib)
        var eight = intel
        eight.l3Bytes = 8 * mib
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.19", features: eight) == 4 * mib)
        #expect(PyPyDefaultRule.nurseryBytes(version: nil, features: amd) == 4 * mib)
    }

    @Test("a recorded cpuinfo reading wins over the vendor's usual line")
    func recorded() {
        var features = amd
        features.cpuinfoCacheBytes = 64 * mib
        #expect(PyPyDefaultRule.nurseryBytes(version: "7.3.11", features: features) == 32 * mib)
        #expect(arm.hardwareClass.description == "aarch64/ARM")
    }

    @Test("versions past 7.3.23 are flagged as not exactly known")
    func known() {
        #expect(PyPyDefaultRule.isExactlyKnown(version: "7.3.17"))
        #expect(!PyPyDefaultRule.isExactlyKnown(version: "7.3.23"))
        #expect(!PyPyDefaultRule.isExactlyKnown(version: "garbage"))
    }
}
