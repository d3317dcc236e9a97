import CrowdspeedCore
import Foundation

/// JSON made safe to place inside `<script type="application/json">`: `<`, `>` and `&` (and the
/// JavaScript line separators) are written as `\uXXXX` escapes, so no submitted string can close
/// the element or open a comment, and `JSON.parse` reads back exactly the original text.
///
/// It is rendered with triple braces (beside ``RenderedHTML``); HTML-escaping it instead would corrupt the
/// JSON (`"` would become `&quot;`, which a script element does not decode).
struct ScriptJSON: Sendable, CustomStringConvertible {
    /// The escaped JSON text.
    let description: String

    /// Encodes `value` with the wire configuration and escapes it for a script element.
    init(_ value: some Encodable) {
        let data = (try? WireCoding.makeEncoder().encode(value)) ?? Data("null".utf8)
        var escaped = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            switch scalar {
            case "<": escaped += "\\u003c"
            case ">": escaped += "\\u003e"
            case "&": escaped += "\\u0026"
            case "\u{2028}": escaped += "\\u2028"
            case "\u{2029}": escaped += "\\u2029"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        description = escaped
    }
}
