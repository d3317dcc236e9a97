#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The running kernel's `uname` fields that are hardware or OS facts (never `nodename`).
enum Uname {
    /// `uname -m`: `x86_64`, `aarch64`, `arm64`.
    static func machine() -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &info.machine) { text($0) }
    }

    /// `uname -r`: the kernel release.
    static func release() -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "" }
        return withUnsafeBytes(of: &info.release) { text($0) }
    }

    private static func text(_ raw: UnsafeRawBufferPointer) -> String {
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}
