import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `/api/v1/export/…`: what the files hold against what the database holds, what they must never
/// hold, the filters, the ETag and the paging.
@Suite("Streaming exports")
struct ExportTests {
    static let adminToken = "an-admin-token-with-enough-entropy-0123456789"

    /// A CPU model that needs CSV quoting: a comma and quotes.
    static let awkwardModel = "AMD \"Fast\", EPYC 7B13"

    /// Parses RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks.
    static func parseCSV(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"":
                try #require(field.isEmpty, "quote inside an unquoted field")
                quoted = true
            case ",":
                record.append(field)
                field = ""
            case "\r\n", "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.append(character)
            }
        }
        try #require(!quoted, "unterminated quoted field")
        try #require(record.isEmpty && field.isEmpty, "last record without a line end")
        return records
    }

    /// Header and rows as dictionaries keyed by column.
    static func table(_ response: TestResponse) throws -> (header: [String], rows: [[String: String]]) {
        let records = try parseCSV(String(decoding: response.body.readableBytesView, as: UTF8.self))
        let header = try #require(records.first)
        for record in records.dropFirst() { try #require(record.count == header.count, "ragged row \(record)") }
        return (header, records.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) })
    }

    /// Posts a small sweep (3 rounds: 63 samples) for a machine named `model`.
    static func post(_ client: some TestClientProtocol, model: String) async throws -> (Submission, SubmissionReceipt) {
        let submission = SweepFixture.make(id: UUID(), machine: SweepFixture.machine(model: model), rounds: 3)
        let response = try await client.postSubmission(try SweepFixture.json(submission))
        #expect(response.status == .created)
        return (submission, try response.decode(SubmissionReceipt.self))
    }

    static func samplesIn(_ submission: Submission) -> Int {
        submission.results.reduce(0) { $0 + $1.samples.count }
    }

    static func configure(_ configuration: inout Configuration) {
        configuration.adminTokenHash = SecretToken.digest(adminToken)
    }

    @Test("samples.csv holds every visible sample with its values, quoted right, and nothing secret or quarantined")
    func samplesMatchDatabase() async throws {
        try await RouterHarness.run(configure: Self.configure) { client, store in
            let (awkward, awkwardReceipt) = try await Self.post(client, model: Self.awkwardModel)
            let (plain, plainReceipt) = try await Self.post(client, model: "Plain CPU 1")
            let (hidden, hiddenReceipt) = try await Self.post(client, model: "Hidden CPU 2")
            let quarantine = try await client.execute(
                uri: "/api/v1/admin/quarantine", method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(Self.adminToken)"],
                body: ByteBuffer(
                    bytes: try JSONSerialization.data(withJSONObject: [
                        "kind": "submission", "id": hidden.id.uuidString.lowercased(), "reason": "spam",
                    ])))
            #expect(quarantine.status == .ok)

            let response = try await client.execute(uri: "/api/v1/export/samples.csv", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(
                response.headers[.contentDisposition]
                    == "attachment; filename=\"crowdspeed-samples-\(RFC3339.format(SweepFixture.now).prefix(10)).csv\"")
            let (header, rows) = try Self.table(response)
            #expect(header == Exporter.sampleColumns)
            #expect(rows.count == Self.samplesIn(awkward) + Self.samplesIn(plain))

            // Every stored sample of a visible submission is a row, value for value.
            for submission in [awkward, plain] {
                let stored = try #require(try await store.submission(id: submission.id))
                let mine = rows.filter { $0["submission_id"] == submission.id.uuidString.lowercased() }
                #expect(mine.count == Self.samplesIn(stored.submission))
                for result in stored.submission.results {
                    for sample in result.samples {
                        let row = mine.first {
                            $0["benchmark"] == result.benchmark
                                && $0["procs"] == (result.params.procs.map(String.init) ?? "")
                                && $0["nursery_bytes"] == (result.params.nurseryBytes.map(String.init) ?? "")
                                && $0["round"] == String(sample.round)
                        }
                        let found = try #require(row, "\(result.benchmark) \(result.params) round \(sample.round)")
                        #expect(Double(found["cpu_ms"] ?? "") == sample.cpuMs)
                        #expect(Double(found["wall_ms"] ?? "") == sample.wallMs)
                        #expect(Int64(found["max_rss_bytes"] ?? "") == sample.maxRSSBytes)
                        #expect(Double(found["foreign_load"] ?? "") == sample.foreignLoad)
                        #expect(found["noisy"] == (sample.noisy.map { $0 ? "true" : "false" } ?? ""))
                    }
                }
                let first = try #require(mine.first)
                #expect(first["machine_id"] == stored.machineID)
                #expect(first["cpu_model"] == submission.machine.cpuModel)
                #expect(first["l2_bytes"] == String(512 << 10))
                #expect(first["implementation"] == "PyPy" && first["interpreter_version"] == "7.3.11")
                #expect(first["received_at"] == RFC3339.format(SweepFixture.now))
            }
            // The quoted model came back whole: the comma did not split it.
            #expect(rows.contains { $0["cpu_model"] == Self.awkwardModel })
            let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(text.contains("\"AMD \"\"Fast\"\", EPYC 7B13\""))

            // Nothing quarantined, nothing secret.
            #expect(!rows.contains { $0["submission_id"] == hidden.id.uuidString.lowercased() })
            #expect(!rows.contains { $0["machine_id"] == hidden.machine.machineID })
            for receipt in [awkwardReceipt, plainReceipt, hiddenReceipt] {
                for token in [receipt.deletionToken, receipt.installToken].compactMap({ $0 }) {
                    #expect(!text.contains(token))
                    #expect(!text.contains(SecretToken.digest(token)))
                }
            }
            #expect(!header.contains { $0.contains("install") || $0.contains("token") || $0.contains("address") })
            #expect(!text.contains(#/i-[0-9a-f]{16}/#), "an install id")
        }
    }

    @Test("samples.jsonl: one JSON object per sample with the same columns and values as the CSV")
    func jsonLinesMatchCSV() async throws {
        try await RouterHarness.run { client, _ in
            let (submission, _) = try await Self.post(client, model: Self.awkwardModel)
            let response = try await client.execute(uri: "/api/v1/export/samples.jsonl", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition]?.hasSuffix(".jsonl\"") == true)
            let lines = String(decoding: response.body.readableBytesView, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == Self.samplesIn(submission))
            let objects = try lines.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.allSatisfy { Set($0.keys) == Set(Exporter.sampleColumns) })
            let first = try #require(objects.first)
            #expect(first["cpu_model"] as? String == Self.awkwardModel)
            #expect(first["submission_id"] as? String == submission.id.uuidString.lowercased())
            let gcbench = submission.results[0]
            let match = objects.first {
                ($0["round"] as? Int) == gcbench.samples[1].round && ($0["procs"] as? Int) == gcbench.params.procs
                    && $0["nursery_bytes"] is NSNull && ($0["benchmark"] as? String) == gcbench.benchmark
            }
            #expect((match?["cpu_ms"] as? Double) == gcbench.samples[1].cpuMs)
        }
    }

    @Test("filters select rows; a bad filter is a 400 that names the parameter")
    func filters() async throws {
        try await RouterHarness.run { client, _ in
            let (first, _) = try await Self.post(client, model: "Filter CPU 1")
            let (second, _) = try await Self.post(client, model: "Filter CPU 2")
            func rows(_ query: String) async throws -> [[String: String]] {
                let response = try await client.execute(uri: "/api/v1/export/samples.csv?\(query)", method: .get)
                #expect(response.status == .ok, "\(query)")
                return try Self.table(response).rows
            }
            let one = try await rows("machine=\(first.machine.machineID)")
            #expect(one.count == Self.samplesIn(first))
            #expect(one.allSatisfy { $0["machine_id"] == first.machine.machineID })
            #expect(try await rows("arch=x86_64&cpu_vendor=AuthenticAMD").count == Self.samplesIn(first) * 2)
            #expect(try await rows("arch=aarch64").isEmpty)
            #expect(try await rows("implementation=PyPy&version=7.3.11").count == Self.samplesIn(second) * 2)
            #expect(try await rows("implementation=CPython").isEmpty)
            #expect(try await rows("version=7.3.12").isEmpty)
            let before = RFC3339.format(SweepFixture.now.addingTimeInterval(-1))
            let after = RFC3339.format(SweepFixture.now.addingTimeInterval(1))
            #expect(try await rows("since=\(before)").count == Self.samplesIn(first) * 2)
            #expect(try await rows("since=\(after)").isEmpty)

            for (query, parameter) in [
                ("since=yesterday", "since"), ("cpu_vendor=%3Cb%3E", "cpu_vendor"), ("machine=", "machine"),
                ("colour=red", "colour"), ("arch=x86_64&arch=aarch64", "arch"),
            ] {
                for file in ["samples.csv", "samples.jsonl", "curves.csv"] {
                    let response = try await client.execute(uri: "/api/v1/export/\(file)?\(query)", method: .get)
                    #expect(response.status == .badRequest, "\(file)?\(query)")
                    let problem = try response.problem()
                    #expect(problem.detail?.contains(parameter) == true, "\(problem)")
                }
            }
        }
    }

    @Test("the ETag answers 304 until the data changes, and differs per filter")
    func etag() async throws {
        try await RouterHarness.run { client, _ in
            _ = try await Self.post(client, model: "ETag CPU 1")
            let first = try await client.execute(uri: "/api/v1/export/samples.csv", method: .get)
            let etag = try #require(first.headers[.eTag])
            let again = try await client.execute(
                uri: "/api/v1/export/samples.csv", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            let filtered = try await client.execute(uri: "/api/v1/export/samples.csv?arch=x86_64", method: .get)
            #expect(filtered.headers[.eTag] != etag)
            let jsonl = try await client.execute(uri: "/api/v1/export/samples.jsonl", method: .get)
            #expect(jsonl.headers[.eTag] != etag)

            _ = try await Self.post(client, model: "ETag CPU 2")
            let changed = try await client.execute(
                uri: "/api/v1/export/samples.csv", method: .get, headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
        }
    }

    @Test("curves.csv: one row per visible machine curve, equal to the stored summaries")
    func curvesMatchDatabase() async throws {
        try await RouterHarness.run { client, store in
            let (first, _) = try await Self.post(client, model: Self.awkwardModel)
            let (second, _) = try await Self.post(client, model: "Curve CPU 2")
            let fits = try #require(store as? SQLiteResultStore)
            var stored: [MachineCurve] = []
            for submission in [first, second] {
                stored += try await fits.machineCurves(machineID: submission.machine.machineID)
            }
            #expect(!stored.isEmpty)

            let response = try await client.execute(uri: "/api/v1/export/curves.csv", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentDisposition]?.contains("crowdspeed-curves-") == true)
            let (header, rows) = try Self.table(response)
            #expect(header == Exporter.curveColumns)
            #expect(rows.count == stored.count)
            let procsOne = try #require(
                rows.first { $0["machine_id"] == first.machine.machineID && $0["procs"] == "1" })
            #expect(procsOne["cpu_model"] == Self.awkwardModel)
            #expect(procsOne["implementation"] == "PyPy" && procsOne["benchmark"] == BenchmarkName.gcbench)
            let points = try #require(
                try JSONSerialization.jsonObject(with: Data((procsOne["points"] ?? "").utf8)) as? [[String: Any]])
            let storedOne = try #require(
                stored.first { $0.key.machineID == first.machine.machineID && $0.key.procs == 1 })
            #expect(points.count == storedOne.summary.points.count)
            #expect(
                (points.first?["nursery_bytes"] as? NSNumber)?.int64Value
                    == storedOne.summary.points.first?.nurseryBytes)
            #expect(Int(procsOne["submission_count"] ?? "") == storedOne.summary.submissionCount)
            #expect(Int(procsOne["round_count"] ?? "") == storedOne.summary.roundCount)
            #expect(Int64(procsOne["best_nursery_bytes"] ?? "") == storedOne.summary.best?.nurseryBytes)
            #expect(Double(procsOne["gain_over_default"] ?? "") == storedOne.summary.gainOverDefault)

            let filtered = try await client.execute(
                uri: "/api/v1/export/curves.csv?machine=\(second.machine.machineID)", method: .get)
            let secondRows = try Self.table(filtered).rows
            #expect(!secondRows.isEmpty && secondRows.allSatisfy { $0["machine_id"] == second.machine.machineID })
        }
    }

    @Test("the exporter's pages join up: tiny pages give the same rows as one big page")
    func pagingIsSeamless() async throws {
        let directory = try TemporaryDirectory()
        let store = try SQLiteResultStore(path: directory.path("paging.sqlite"))
        let pipeline = Pipeline(stores: StoreCapabilities(store))
        for index in 0..<3 {
            let submission = SweepFixture.make(
                id: UUID(), machine: SweepFixture.machine(model: "Paging CPU \(index)"), rounds: 2)
            _ = try await pipeline.ingest(submission, receivedAt: SweepFixture.now)
        }
        func export(pageSize: Int, format: Exporter.Format) async throws -> (String, Int, Int) {
            var text = ""
            var writes = 0
            let count = try await Exporter(store: store, pageSize: pageSize).samples(
                filter: ExportFilter(), format: format
            ) {
                text += $0
                writes += 1
            }
            return (text, count, writes)
        }
        for format in Exporter.Format.allCases {
            let (whole, wholeCount, wholeWrites) = try await export(pageSize: 1000, format: format)
            let (paged, pagedCount, pagedWrites) = try await export(pageSize: 3, format: format)
            #expect(paged == whole)
            #expect(pagedCount == wholeCount && wholeCount == 3 * (SweepFixture.nurseries.count * 2 + 1) * 2)
            // Results are 21 per submission: 63 results in pages of 3 are 21 writes (plus the header).
            #expect(pagedWrites > wholeWrites && pagedWrites >= 21)
        }
    }

    @Test("CSV fields are quoted exactly when they must be")
    func csvQuoting() {
        #expect(Exporter.csvLine(["a", "b c", ""]) == "a,b c,\r\n")
        #expect(
            Exporter.csvLine(["x,y", "say \"hi\"", "two\nlines"]) == "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n")
        #expect(Exporter.jsonString("a\"b\\c\n\u{1}") == "\"a\\\"b\\\\c\\n\\u0001\"")
    }
}
