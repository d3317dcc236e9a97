import CrowdspeedCore
import Foundation

/// The packed, column-wise form in which the store keeps one result's samples: one BLOB per
/// result instead of one row per sample, so ingesting a sweep writes a few dozen rows, not hundreds.
///
/// Layout, all little-endian, for `n` samples:
///
/// | bytes | content |
/// |---|---|
/// | 1 | format version (``formatVersion``) |
/// | 4 | `n` as UInt32 |
/// | 8·n | `wall_ms` as Float64 |
/// | 8·n | `cpu_ms` as Float64 |
/// | 8·n | `max_rss_bytes` as Int64 |
/// | 4·n | `round` as Int32 |
/// | 8·n | `foreign_load` as Float64 |
/// | 1·n | flags: bit 0 noisy present, bit 1 noisy, bit 2 failed present, bit 3 failed |
///
/// Columns rather than rows keep each value type together (a future reader can take the CPU
/// times alone). Floats are stored as their bit patterns, so decoding gives back bit-identical
/// values; `foreign_load` stays Float64 for the same reason. The flags keep "absent" apart from
/// `false` because the wire does. Public so that every backend stores the same bytes.
public enum SampleBlob {
    /// The only format this build writes; readers refuse any other.
    public static let formatVersion: UInt8 = 1
    private static let headerSize = 5
    private static let bytesPerSample = 8 + 8 + 8 + 4 + 8 + 1

    /// Packs `samples`.
    /// - Throws: ``SampleBlobError/roundOutOfRange(_:)`` when a round does not fit in Int32
    ///   (validation bounds rounds far below that; the store does not rely on it).
    public static func encode(_ samples: [Sample]) throws -> Data {
        guard samples.count <= Int(UInt32.max) else { throw SampleBlobError.malformed("too many samples") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + bytesPerSample * samples.count)
        bytes.append(formatVersion)
        append(UInt32(samples.count), to: &bytes)
        for sample in samples { append(sample.wallMs.bitPattern, to: &bytes) }
        for sample in samples { append(sample.cpuMs.bitPattern, to: &bytes) }
        for sample in samples { append(sample.maxRSSBytes, to: &bytes) }
        for sample in samples {
            guard let round = Int32(exactly: sample.round) else { throw SampleBlobError.roundOutOfRange(sample.round) }
            append(round, to: &bytes)
        }
        for sample in samples { append(sample.foreignLoad.bitPattern, to: &bytes) }
        for sample in samples { bytes.append(flags(noisy: sample.noisy, failed: sample.failed)) }
        return Data(bytes)
    }

    /// Unpacks a blob written by ``encode(_:)``.
    /// - Throws: ``SampleBlobError`` when the blob has another format version or the wrong length.
    public static func decode(_ data: Data) throws -> [Sample] {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [Sample] in
            guard raw.count >= headerSize else {
                throw SampleBlobError.malformed("\(raw.count) bytes is shorter than the header")
            }
            guard raw[0] == formatVersion else { throw SampleBlobError.unknownFormat(raw[0]) }
            let count = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 1, as: UInt32.self)))
            guard raw.count == headerSize + bytesPerSample * count else {
                throw SampleBlobError.malformed("\(raw.count) bytes for \(count) samples")
            }
            let wall = headerSize
            let cpu = wall + 8 * count
            let rss = cpu + 8 * count
            let round = rss + 8 * count
            let load = round + 4 * count
            let flag = load + 8 * count
            var samples: [Sample] = []
            samples.reserveCapacity(count)
            for i in 0..<count {
                let flags = raw[flag + i]
                samples.append(
                    Sample(
                        wallMs: Double(
                            bitPattern: UInt64(
                                littleEndian: raw.loadUnaligned(fromByteOffset: wall + 8 * i, as: UInt64.self))),
                        cpuMs: Double(
                            bitPattern: UInt64(
                                littleEndian: raw.loadUnaligned(fromByteOffset: cpu + 8 * i, as: UInt64.self))),
                        maxRSSBytes: Int64(
                            littleEndian: raw.loadUnaligned(fromByteOffset: rss + 8 * i, as: Int64.self)),
                        round: Int(
                            Int32(littleEndian: raw.loadUnaligned(fromByteOffset: round + 4 * i, as: Int32.self))),
                        foreignLoad: Double(
                            bitPattern: UInt64(
                                littleEndian: raw.loadUnaligned(fromByteOffset: load + 8 * i, as: UInt64.self))),
                        noisy: flags & 0b0001 != 0 ? flags & 0b0010 != 0 : nil,
                        failed: flags & 0b0100 != 0 ? flags & 0b1000 != 0 : nil
                    ))
            }
            return samples
        }
    }

    /// The flag byte of one sample.
    private static func flags(noisy: Bool?, failed: Bool?) -> UInt8 {
        var flags: UInt8 = 0
        if let noisy { flags |= 0b0001 | (noisy ? 0b0010 : 0) }
        if let failed { flags |= 0b0100 | (failed ? 0b1000 : 0) }
        return flags
    }

    /// Appends `value` in little-endian byte order.
    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Why a samples blob could not be written or read.
public enum SampleBlobError: Error, Sendable, Equatable {
    /// A sample's round does not fit the stored Int32.
    case roundOutOfRange(Int)
    /// The blob was written in a format this build does not know.
    case unknownFormat(UInt8)
    /// The blob's length does not match its header.
    case malformed(String)
}
