import Foundation

extension Submission {
    /// Decodes a submission from request bytes with the shared wire configuration, turning any
    /// decoding failure into a ``SubmissionRejection`` that names the field path and the reason.
    ///
    /// Bodies in the shape agents write take ``SubmissionFastDecoder`` (several times faster);
    /// anything it is not certain of goes through `JSONDecoder`, which gives the same values and
    /// is the only source of error messages.
    public static func decode(from data: Data) throws(SubmissionRejection) -> Submission {
        if let submission = SubmissionFastDecoder.decode(data) { return submission }
        do {
            return try WireCoding.makeDecoder().decode(Submission.self, from: data)
        } catch let error as DecodingError {
            throw SubmissionRejection([FieldIssue(decodingError: error)])
        } catch {
            throw SubmissionRejection([FieldIssue(field: "(body)", reason: "is not valid JSON")])
        }
    }
}

extension FieldIssue {
    /// Describes a `DecodingError` as a field path and a reason a client can act on.
    public init(decodingError error: DecodingError) {
        switch error {
        case .keyNotFound(let key, let context):
            self.init(field: Self.path(context.codingPath + [key]), reason: "is required")
        case .typeMismatch(let type, let context):
            self.init(
                field: Self.path(context.codingPath), reason: "has the wrong type; expected \(Self.jsonName(of: type))")
        case .valueNotFound(let type, let context):
            self.init(
                field: Self.path(context.codingPath), reason: "must not be null; expected \(Self.jsonName(of: type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                self.init(field: "(body)", reason: "is not valid JSON")
            } else {
                self.init(field: Self.path(context.codingPath), reason: Self.reason(context.debugDescription))
            }
        @unknown default:
            self.init(field: "(body)", reason: "could not be decoded")
        }
    }

    /// `results[2].samples[0].cpu_ms` from a coding path.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var text = ""
        for key in codingPath {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "(body)" : text
    }

    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type, is UUID.Type, is Date.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }

    /// Foundation's messages for corrupted values name Swift types; keep the part a client understands.
    private static func reason(_ debugDescription: String) -> String {
        if debugDescription.contains("UUID") { return "is not a valid UUID" }
        if debugDescription.contains("RFC 3339") { return "is not an RFC 3339 date-time" }
        if debugDescription.contains("Cannot initialize") { return "has a value that is not allowed" }
        if debugDescription.lowercased().contains("number") { return "is not a representable number" }
        return "is invalid"
    }
}
