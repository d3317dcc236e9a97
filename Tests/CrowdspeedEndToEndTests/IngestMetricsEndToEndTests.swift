import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// The store's group-commit metrics, seen as an operator's Prometheus would see them: from a
    /// live server's `/metrics` after real submissions.
    @Suite("Ingest metrics end to end")
    struct IngestMetricsEndToEndTests {
        /// The value of the sample line `name` (no labels) in Prometheus text.
        static func value(_ text: String, _ name: String) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                return Double(line.dropFirst(name.count + 1))
            }
            return nil
        }

        @Test("every accepted submission is counted in exactly one batch, and each batch's writer time is recorded")
        func batchesCounted() async throws {
            let directory = try TemporaryDirectory()
            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let client = HTTPClient(baseURL: baseURL)
                let posts = 6
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<posts {
                        group.addTask {
                            let submission = SweepFixture.make(
                                id: UUID(), machine: SweepFixture.machine(model: "Batch CPU \(index)"), rounds: 3)
                            return try await client.postSubmission(try SweepFixture.json(submission)).status
                        }
                    }
                    for try await status in group { #expect(status == 201) }
                }
                let text = String(decoding: try await client.send("GET", "/metrics").body, as: UTF8.self)
                let batchName = ServerMetrics.Name.ingestBatchSize
                let writerName = ServerMetrics.Name.ingestWriterDuration
                let submissions = try #require(Self.value(text, batchName + "_sum"))
                let batches = try #require(Self.value(text, batchName + "_count"))
                #expect(submissions == Double(posts))
                #expect(batches >= 1 && batches <= Double(posts))
                #expect(Self.value(text, writerName + "_count") == batches)
                let held = try #require(Self.value(text, writerName + "_sum"))
                #expect(held > 0 && held < 60)
            }
        }
    }
}
