import CrowdspeedCore
import Testing

@Suite("PYPY_GC_NURSERY parsing and formatting")
struct NurserySizeTests {
    /// Texts PyPy reads and the byte counts it makes of them.
    static let readable: [(String, Int64)] = [
        ("8M", 8 << 20), ("8m", 8 << 20), ("8MB", 8 << 20), ("8mb", 8 << 20), ("256K", 256 << 10),
        ("256kB", 256 << 10), ("1G", 1 << 30), ("1g", 1 << 30), ("4194304", 4_194_304), ("4194304B", 4_194_304),
        ("0.5M", 512 << 10), ("1.5k", 1536), ("1e3", 1000), ("1e3k", 1_024_000), (" 8M", 8 << 20), ("1_024K", 1 << 20),
        ("2.9", 2), ("+4K", 4096),
    ]

    @Test("values PyPy reads", arguments: readable)
    func parses(text: String, bytes: Int64) {
        #expect(NurserySize.parse(text) == bytes)
    }

    @Test(
        "values PyPy treats as unset",
        arguments: [
            "", "B", "M", "abc", "8X", "8 M B", "-1M", "0", "0.1", "inf", "nanM", "1__0K", "_1K", "1_K", "8MiB",
        ])
    func unset(text: String) {
        #expect(NurserySize.parse(text) == nil)
    }

    @Test("formatting uses the largest exact unit and reads back")
    func format() {
        #expect(NurserySize.format(8 << 20) == "8M")
        #expect(NurserySize.format(256 << 10) == "256K")
        #expect(NurserySize.format(1 << 30) == "1G")
        #expect(NurserySize.format(1536 << 10) == "1536K")
        #expect(NurserySize.format(1000) == "1000")
        for bytes: Int64 in [1000, 4096, 3 << 20, 1536 << 10, 2 << 30] {
            #expect(NurserySize.parse(NurserySize.format(bytes)) == bytes)
        }
    }

    @Test("snapping goes to the nearest power of two in log2")
    func snap() {
        #expect(NurserySize.snapToPowerOfTwo(5_000_000) == 4 << 20)
        #expect(NurserySize.snapToPowerOfTwo(6_500_000) == 8 << 20)
        #expect(NurserySize.snapToPowerOfTwo(Double(8 << 20)) == 8 << 20)
        #expect(NurserySize.snapToPowerOfTwo(.nan) == 1)
    }
}
