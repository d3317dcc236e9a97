import Foundation

/// Percent-encoding of query values for links the pages build.
enum QueryEncoding {
    /// RFC 3986 unreserved characters; everything else (`&`, `=`, `+`, `#`, spaces…) is encoded.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `value` safe to place after `name=` in a query string.
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }
}
