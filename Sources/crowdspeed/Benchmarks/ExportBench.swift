import Foundation

/// The streamed exports against a large population, as `bench query` runs them after the page
/// timings: first byte, throughput and the server's memory while a whole file streams.
///
/// The download is made by `curl` into `/dev/null` (a client that keeps nothing), bounded by a
/// time limit: a 100k-machine samples export is gigabytes, and what matters is that the server's
/// memory stays flat while it streams, not how long the whole file takes on this machine.
enum ExportBench {
    struct Download {
        var firstByteSeconds: Double
        var seconds: Double
        var bytes: Double
        var complete: Bool
    }

    /// Downloads `path` from the server with `curl`, at most `limit` seconds.
    static func download(port: Int, path: String, limit: Int) throws -> Download {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "curl", "-s", "-o", "/dev/null", "--max-time", String(limit), "-w",
            "%{http_code} %{time_starttransfer} %{time_total} %{size_download}",
            "http://127.0.0.1:\(port)\(path)",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let fields = String(decoding: data, as: UTF8.self).split(separator: " ").map(String.init)
        guard fields.count == 4, fields[0] == "200", let first = Double(fields[1]), let total = Double(fields[2]),
            let bytes = Double(fields[3])
        else {
            throw CommandFailure.exit("export \(path) failed: curl said '\(String(decoding: data, as: UTF8.self))'")
        }
        // curl exits 28 when the time limit cut the download.
        return Download(firstByteSeconds: first, seconds: total, bytes: bytes, complete: process.terminationStatus == 0)
    }

    /// Streams each export once and prints first byte, bytes, rate and the server's memory.
    static func run(server: BenchServer, limit: Int) throws {
        BenchMachine.emit("exports (curl to /dev/null, at most \(limit) s each):")
        BenchMachine.emit("export                 first_byte_s  MiB_streamed  MiB/s   whole  server_RSS_MiB  peak_MiB")
        let before = server.memory()
        BenchMachine.emit(
            String(format: "server RSS before the exports: %.1f MiB (peak %.1f MiB)", before.rssMiB, before.peakMiB))
        for path in ["/api/v1/export/curves.csv", "/api/v1/export/samples.csv", "/api/v1/export/samples.jsonl"] {
            let download = try download(port: server.port, path: path, limit: limit)
            let memory = server.memory()
            let mebibytes = download.bytes / 1_048_576
            BenchMachine.emit(
                String(
                    format: "%@ %13.3f %13.1f %6.1f %7@ %15.1f %9.1f",
                    String(path.dropFirst("/api/v1/export/".count)).padding(
                        toLength: 22, withPad: " ", startingAt: 0),
                    download.firstByteSeconds, mebibytes, mebibytes / max(download.seconds, 0.001),
                    download.complete ? "yes" : "no", memory.rssMiB, memory.peakMiB))
        }
    }
}
