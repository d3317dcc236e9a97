import CrowdspeedCore
import Foundation
@testable import CrowdspeedStore
import Testing

/// The packed samples format: exact, versioned, and strict about what it reads.
@Suite("Sample blob")
struct SampleBlobTests {
    /// Values chosen to break lossy encodings: signed zero, subnormals, extremes, a NaN payload.
    private let awkward: [Sample] = [
        Sample(
            wallMs: 0.1 + 0.2, cpuMs: -0.0, maxRSSBytes: .max, round: Int(Int32.max),
            foreignLoad: .leastNonzeroMagnitude),
        Sample(
            wallMs: .greatestFiniteMagnitude, cpuMs: Double(bitPattern: 0x7FF8_0000_DEAD_BEEF), maxRSSBytes: .min,
            round: Int(Int32.min), foreignLoad: 1, noisy: true, failed: false),
        Sample(
            wallMs: 1e-300, cpuMs: 3, maxRSSBytes: 0, round: 0, foreignLoad: 0.3333333333333333, noisy: false,
            failed: true),
    ]

    @Test("decoding gives back every bit")
    func exact() throws {
        let decoded = try SampleBlob.decode(SampleBlob.encode(awkward))
        #expect(decoded.count == awkward.count)
        for (read, sent) in zip(decoded, awkward) {
            #expect(read.wallMs.bitPattern == sent.wallMs.bitPattern)
            #expect(read.cpuMs.bitPattern == sent.cpuMs.bitPattern)
            #expect(read.foreignLoad.bitPattern == sent.foreignLoad.bitPattern)
            #expect(read.maxRSSBytes == sent.maxRSSBytes && read.round == sent.round)
            #expect(read.noisy == sent.noisy && read.failed == sent.failed)
        }
    }

    @Test("layout: version byte, count, 37 bytes per sample, little-endian columns")
    func layout() throws {
        let blob = try SampleBlob.encode(awkward)
        #expect(blob.count == 5 + 37 * 3)
        #expect(Array(blob.prefix(5)) == [1, 3, 0, 0, 0])
        #expect(try SampleBlob.decode(SampleBlob.encode([])) == [])
    }

    @Test("rounds beyond Int32, unknown versions and bad lengths are refused")
    func refusals() throws {
        #expect(throws: SampleBlobError.roundOutOfRange(1 << 40)) {
            try SampleBlob.encode([Sample(wallMs: 1, cpuMs: 1, maxRSSBytes: 1, round: 1 << 40, foreignLoad: 0)])
        }
        var blob = try SampleBlob.encode(awkward)
        blob[0] = 2
        #expect(throws: SampleBlobError.unknownFormat(2)) { try SampleBlob.decode(blob) }
        #expect(throws: SampleBlobError.self) { try SampleBlob.decode(try SampleBlob.encode(awkward).dropLast()) }
        #expect(throws: SampleBlobError.self) { try SampleBlob.decode(Data([1, 0])) }
    }
}
