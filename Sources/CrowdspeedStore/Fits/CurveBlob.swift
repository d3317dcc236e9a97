import Foundation

/// The packed forms of a curve's arrays in `curves` rows: plain little-endian arrays with no
/// header (the row's `round_count` and the blob lengths say how many values each holds).
///
/// - `nurseries`: Int64 per size.
/// - `round_ids`: Int32 per round.
/// - `round_ratios`: Float64 per cell, bit patterns, so NaN (missing) survives the round trip.
///
/// Public so that every backend stores the same bytes.
public enum CurveBlob {
    /// Packs 64-bit integers.
    public static func encode(_ values: [Int64]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 * values.count)
        for value in values { append(value, to: &bytes) }
        return Data(bytes)
    }

    /// Packs round ids as Int32.
    /// - Throws: ``SampleBlobError/roundOutOfRange(_:)`` for a round beyond Int32.
    public static func encode(rounds: [Int]) throws -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 * rounds.count)
        for round in rounds {
            guard let value = Int32(exactly: round) else { throw SampleBlobError.roundOutOfRange(round) }
            append(value, to: &bytes)
        }
        return Data(bytes)
    }

    /// Packs doubles by bit pattern.
    public static func encode(_ values: [Double]) -> Data {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 * values.count)
        for value in values { append(value.bitPattern, to: &bytes) }
        return Data(bytes)
    }

    /// Unpacks 64-bit integers.
    public static func int64s(_ data: Data) throws -> [Int64] {
        guard data.count % 8 == 0 else { throw SampleBlobError.malformed("\(data.count) bytes is not a list of Int64") }
        return data.withUnsafeBytes { raw in
            (0..<raw.count / 8).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        }
    }

    /// Unpacks Int32 round ids.
    public static func rounds(_ data: Data) throws -> [Int] {
        guard data.count % 4 == 0 else { throw SampleBlobError.malformed("\(data.count) bytes is not a list of Int32") }
        return data.withUnsafeBytes { raw in
            (0..<raw.count / 4).map {
                Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)))
            }
        }
    }

    /// Unpacks doubles.
    public static func doubles(_ data: Data) throws -> [Double] {
        guard data.count % 8 == 0 else {
            throw SampleBlobError.malformed("\(data.count) bytes is not a list of Float64")
        }
        return data.withUnsafeBytes { raw in
            (0..<raw.count / 8).map {
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)))
            }
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
