import Foundation
import Hummingbird

/// Strict reading of query parameters for the fitting routes: every parameter at most once,
/// unknown names refused, and every refusal a 400 problem that names the parameter.
struct QueryReader {
    let parameters: Parameters

    /// Refuses names outside `allowed` and repeated names.
    /// - Throws: ``APIError/badParameter(_:_:)`` naming the first offending parameter.
    func check(allowed: Set<String>) throws {
        var seen: Set<String> = []
        for (name, _) in parameters {
            let key = String(name)
            guard allowed.contains(key) else {
                throw APIError.badParameter(
                    key, "is not a parameter of this resource (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw APIError.badParameter(key, "is given more than once") }
        }
    }

    /// The raw value of `name`, nil when absent.
    func string(_ name: String) -> String? {
        parameters[values: name[...]].first.map(String.init)
    }

    /// True when `name` is present.
    func has(_ name: String) -> Bool { string(name) != nil }

    /// An integer within `range`, nil when absent.
    func integer(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        guard let text = string(name) else { return nil }
        guard let value = Int64(text) else { throw APIError.badParameter(name, "is not an integer") }
        guard range.contains(value) else {
            throw APIError.badParameter(name, "must be within \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    /// A short identifier (letters, digits, `_`, `-`, `.`), nil when absent.
    func identifier(_ name: String, maxLength: Int = 64) throws -> String? {
        guard let text = string(name) else { return nil }
        guard !text.isEmpty, text.count <= maxLength,
            text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.identifierCharacters.contains($0)) })
        else { throw APIError.badParameter(name, "must be 1–\(maxLength) letters, digits, '_', '-' or '.'") }
        return text
    }

    /// One of `choices`, or `defaultValue` when absent.
    func choice(_ name: String, _ choices: [String], default defaultValue: String) throws -> String {
        guard let text = string(name) else { return defaultValue }
        guard choices.contains(text) else {
            throw APIError.badParameter(name, "must be one of \(choices.joined(separator: ", "))")
        }
        return text
    }
}

extension CharacterSet {
    /// What identifiers in query parameters may contain.
    static let identifierCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
}
