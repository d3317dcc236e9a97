import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /metrics`: Prometheus text that parses, and counters that move with real requests.
@Suite("Prometheus metrics")
struct MetricsTests {
    /// One sample line of the text exposition format: `name{label="value",…} value`.
    struct Sample: Hashable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Parses the Prometheus text format strictly enough to catch a broken exposition: every
    /// line is a `# HELP`/`# TYPE` comment or `name{labels} value`, names and label names are
    /// legal, label values are quoted with only `\\`, `\"` and `\n` escapes, and the value is a
    /// number (or `+Inf`, `-Inf`, `NaN`).
    static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        let name = #/[a-zA-Z_:][a-zA-Z0-9_:]*/#
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            if line.hasPrefix("#") {
                #expect(line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP "), "comment line: \(line)")
                continue
            }
            var rest = Substring(line)
            guard let nameMatch = rest.prefixMatch(of: name) else {
                Issue.record("no metric name: \(line)")
                continue
            }
            rest = rest[nameMatch.range.upperBound...]
            var labels: [String: String] = [:]
            if rest.hasPrefix("{") {
                rest = rest.dropFirst()
                while !rest.hasPrefix("}") {
                    let labelMatch = try #require(
                        rest.prefixMatch(of: #/([a-zA-Z_][a-zA-Z0-9_]*)="/#), "label: \(line)")
                    rest = rest[labelMatch.range.upperBound...]
                    var value = ""
                    while let character = rest.first, character != "\"" {
                        rest = rest.dropFirst()
                        if character == "\\" {
                            let escaped = try #require(rest.first, "dangling escape: \(line)")
                            #expect(["\\", "\"", "n"].contains(escaped), "bad escape in \(line)")
                            value.append(escaped == "n" ? "\n" : escaped)
                            rest = rest.dropFirst()
                        } else {
                            value.append(character)
                        }
                    }
                    try #require(rest.first == "\"", "unterminated label value: \(line)")
                    rest = rest.dropFirst()
                    labels[String(labelMatch.1)] = value
                    if rest.hasPrefix(",") { rest = rest.dropFirst() }
                }
                rest = rest.dropFirst()
            }
            try #require(rest.hasPrefix(" "), "no space before the value: \(line)")
            let fields = rest.dropFirst().split(separator: " ")
            try #require((1...2).contains(fields.count), "value and optional timestamp: \(line)")
            let text = String(fields[0])
            let value = try #require(
                text == "+Inf" ? Double.infinity : text == "-Inf" ? -Double.infinity : Double(text),
                "value: \(line)")
            samples.append(Sample(name: String(nameMatch.output), labels: labels, value: value))
        }
        return samples
    }

    /// Scrapes `/metrics` and parses it.
    static func scrape(_ client: any TestClientProtocol) async throws -> [Sample] {
        let response = try await client.execute(uri: "/metrics", method: .get)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
        return try parse(String(decoding: response.body.readableBytesView, as: UTF8.self))
    }

    /// The value of the series `name` with exactly `labels` (0 when absent: a counter not yet
    /// incremented has no series).
    static func value(_ samples: [Sample], _ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
    }

    @Test("the parser refuses what Prometheus would refuse")
    func parserCanFail() {
        withKnownIssue {
            _ = try Self.parse("crowdspeed_x{route=\"/a\" 1\n")
        }
        withKnownIssue {
            _ = try Self.parse("crowdspeed x 1\n")
        }
        withKnownIssue {
            _ = try Self.parse("crowdspeed_x{route=\"/a\"} one\n")
        }
        #expect(
            (try? Self.parse("a_total{b=\"q\\\"\",c=\"d\"} 2\n# TYPE a_total counter\n")) == [
                Sample(name: "a_total", labels: ["b": "q\"", "c": "d"], value: 2)
            ])
    }

    @Test("counters move by the right amounts with a submission, a page, a 404 and refusals")
    func countersMove() async throws {
        try await RouterHarness.run { client, _ in
            let before = try await Self.scrape(client)
            let httpRequests = ServerMetrics.Name.httpRequests
            let post = ["route": "/api/v1/submissions", "method": "POST", "status": "2xx"]
            let machines = ["route": "/api/v1/machines", "method": "GET", "status": "2xx"]
            let unmatched404 = ["route": "unmatched", "method": "GET", "status": "4xx"]
            let refused4xx = ["route": "/api/v1/submissions", "method": "POST", "status": "4xx"]
            #expect(Self.value(before, httpRequests, post) == 0)

            #expect(try await client.postSubmission(try SweepFixture.json()).status == .created)
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .ok)
            #expect(try await client.getMachines().status == .ok)
            // Two different raw paths, one series: the label is the route template.
            #expect(try await client.execute(uri: "/no/such/page-\(UUID())", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/no/such/page-\(UUID())", method: .get).status == .notFound)
            #expect(try await client.postSubmission(Data("{".utf8)).status == .badRequest)
            #expect(
                try await client.postSubmission(Data("x".utf8), contentType: "text/plain").status
                    == .unsupportedMediaType)
            let machineID = SweepFixture.machine().machineID
            #expect(try await client.getMachine(machineID).status == .ok)

            let after = try await Self.scrape(client)
            #expect(Self.value(after, httpRequests, post) == 2)
            #expect(Self.value(after, httpRequests, machines) - Self.value(before, httpRequests, machines) == 1)
            #expect(Self.value(after, httpRequests, unmatched404) - Self.value(before, httpRequests, unmatched404) == 2)
            #expect(Self.value(after, httpRequests, refused4xx) == 2)
            #expect(
                Self.value(after, httpRequests, ["route": "/api/v1/machines/{id}", "method": "GET", "status": "2xx"])
                    == 1)
            #expect(!after.contains { $0.labels["route"]?.contains(machineID) == true }, "raw path as a label")
            // The scrape before this one was itself a request.
            #expect(
                Self.value(after, httpRequests, ["route": "/metrics", "method": "GET", "status": "2xx"])
                    - Self.value(before, httpRequests, ["route": "/metrics", "method": "GET", "status": "2xx"]) == 1)

            let ingested = ServerMetrics.Name.submissionsIngested
            #expect(Self.value(after, ingested, ["outcome": "created"]) == 1)
            #expect(Self.value(after, ingested, ["outcome": "duplicate"]) == 1)
            let refused = ServerMetrics.Name.submissionsRefused
            #expect(Self.value(after, refused, ["reason": "malformed"]) == 1)
            #expect(Self.value(after, refused, ["reason": "unsupported_media_type"]) == 1)
            #expect(Self.value(after, refused, ["reason": "invalid"]) == 0)

            // Histograms: one observation per timed request, and one ingest timed.
            let durationCount = ServerMetrics.Name.httpRequestDuration + "_count"
            #expect(Self.value(after, durationCount, post) == 2)
            #expect(Self.value(after, ServerMetrics.Name.ingestDuration + "_count") == 2)
            #expect(Self.value(after, ServerMetrics.Name.ingestSamples + "_sum") > 0)

            // Scrape-time gauges: the database has a main file, and no formula was fitted yet.
            #expect(Self.value(after, ServerMetrics.Name.databaseBytes, ["file": "main"]) > 0)
            #expect(after.contains { $0.name == ServerMetrics.Name.formulaVersion && $0.value == 0 })
            #expect(after.allSatisfy { $0.name.hasPrefix("crowdspeed_") })
        }
    }

    @Test("a refusal by the rate limit is counted by scope and as a refused submission")
    func rateLimitCounted() async throws {
        try await RouterHarness.run(configure: { $0.addressRateLimit = RateLimit(perMinute: 1, burst: 1) }) {
            client, _ in
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .created)
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .tooManyRequests)
            let after = try await Self.scrape(client)
            #expect(Self.value(after, ServerMetrics.Name.rateLimited, ["scope": "address"]) == 1)
            #expect(Self.value(after, ServerMetrics.Name.submissionsRefused, ["reason": "rate_limited"]) == 1)
        }
    }

    @Test("--metrics off: /metrics is 404 and requests still work")
    func metricsOff() async throws {
        try await RouterHarness.run(configure: { $0.metrics = .off }) { client, _ async throws in
            #expect(try await client.getMachines().status == .ok)
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .notFound)
        }
        try await RouterHarness.run(configure: { $0.metrics = .separate(host: "127.0.0.1", port: 0) }) {
            client, _ async throws in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .notFound)
        }
    }

    @Test("--metrics and --metrics-address resolve, and contradictions are refused")
    func configuration() throws {
        func resolve(_ metrics: String?, _ address: String?, environment: [String: String] = [:]) throws
            -> Configuration.MetricsEndpoint
        {
            var options = Configuration.Options()
            options.metrics = metrics
            options.metricsAddress = address
            return try Configuration.resolve(options, environment: environment).metrics
        }
        #expect(try resolve(nil, nil) == .main)
        #expect(try resolve("off", nil) == .off)
        #expect(try resolve(nil, nil, environment: ["CROWDSPEED_METRICS": "off"]) == .off)
        #expect(try resolve("on", nil, environment: ["CROWDSPEED_METRICS": "off"]) == .main)
        #expect(try resolve(nil, "10.0.0.5:9091") == .separate(host: "10.0.0.5", port: 9091))
        #expect(try resolve(nil, "[::1]:9091") == .separate(host: "::1", port: 9091))
        #expect(throws: ConfigurationError.self) { try resolve("maybe", nil) }
        #expect(throws: ConfigurationError.self) { try resolve("off", "127.0.0.1:9091") }
        #expect(throws: ConfigurationError.self) { try resolve(nil, "127.0.0.1") }
        #expect(throws: ConfigurationError.self) { try resolve(nil, ":9091") }
        #expect(throws: ConfigurationError.self) { try resolve(nil, "host:70000") }
    }
}
