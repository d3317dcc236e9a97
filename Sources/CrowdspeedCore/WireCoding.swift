import Foundation

/// The one JSON configuration shared by the agent and the server, so both sides read and write
/// exactly the same bytes for the same values.
///
/// Keys are spelled out in each type's `CodingKeys` (snake_case) rather than converted by a key
/// strategy: the wire names are then visible in the code and cannot drift with a renamed property.
public enum WireCoding {
    /// The wire format version this build reads and writes.
    public static let schemaVersion = 1

    /// An encoder with RFC 3339 dates (UTC, milliseconds) and sorted keys for stable output.
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Non-finite numbers are not JSON; refuse to write them rather than invent a spelling.
        encoder.nonConformingFloatEncodingStrategy = .throw
        return encoder
    }

    /// A decoder that accepts RFC 3339 dates with or without fractional seconds and rejects
    /// non-finite numbers (JSON has no NaN or Infinity).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an RFC 3339 date-time such as 2026-11-25T18:00:00Z")
            }
            return date
        }
        decoder.nonConformingFloatDecodingStrategy = .throw
        return decoder
    }
}

/// RFC 3339 date-times as used on the wire.
public enum RFC3339 {
    /// Formats a date in UTC with millisecond precision, e.g. `2026-11-25T18:00:00.000Z`.
    ///
    /// The time is rounded to the nearest millisecond first: a decoded `.002` is stored as a binary
    /// double a hair below it, and truncating would write it back as `.001`.
    public static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let whole = Date(timeIntervalSince1970: seconds).formatted(
            .iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: false).timeSeparator(.colon).timeZone(separator: .omitted))
        return String(whole.dropLast()) + String(format: ".%03dZ", Int(milliseconds - seconds * 1000))
    }

    /// Parses an RFC 3339 date-time with an explicit offset, with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        guard text.count <= 40 else { return nil }
        if let date = try? Date(
            text,
            strategy: .iso8601.year().month().day().dateSeparator(.dash)
                .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
        {
            return date
        }
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return nil
    }
}
