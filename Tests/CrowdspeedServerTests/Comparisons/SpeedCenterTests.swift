import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The speed center through the router, over a real SQLite store seeded through the pipeline
/// with a population whose versions differ by the demo's planted effects.
@Suite("Speed center")
struct SpeedCenterTests {
    /// The population: 80 machines, PyPy 7.3.16 and 7.3.17 with ``VersionEffect/demo``, CPython
    /// 3.12.3 on most; gcbench at the default setting only, to seed quickly.
    static func population(machines: Int = 80) -> [Submission] {
        var options = VersionedSimulationOptions()
        options.effects = VersionEffect.demo
        options.measureNurseryGrid = false
        return VersionedPopulationSimulator(seed: 2026, options: options).submissions(count: machines)
    }

    /// Runs `test` over a store seeded with ``population(machines:)``.
    func withSeeded(
        machines: Int = 80,
        _ test: @Sendable (any TestClientProtocol, Pipeline, [Submission]) async throws -> Void
    ) async throws {
        try await PageHarness.run { client, store in
            let pipeline = Pipeline(stores: StoreCapabilities(store))
            let submissions = Self.population(machines: machines)
            for submission in submissions {
                _ = try await pipeline.ingest(submission, receivedAt: submission.createdAt.addingTimeInterval(60))
            }
            try await test(client, pipeline, submissions)
        }
    }

    @Test("versions: the two newest by default, paired rows with intervals, the AMD gcbench regression, ETag and 304")
    func versions() async throws {
        try await withSeeded { client, _, _ in
            let response = try await client.get("/api/v1/comparisons/versions")
            #expect(response.status == .ok)
            let comparison = try response.decode(VersionComparison.self)
            #expect(comparison.implementation == "PyPy" && comparison.from == "7.3.16" && comparison.to == "7.3.17")
            #expect(comparison.method.contains("Benjamini–Hochberg"))
            let amd = try #require(
                comparison.rows.first {
                    $0.benchmark == BenchmarkName.gcbench && $0.hardwareClass?.cpuVendor == "AuthenticAMD"
                        && $0.params.procs == 1
                })
            #expect(amd.verdict == .regression)
            #expect(amd.lower > 1 && amd.machines >= 6 && amd.machineIDs.count == amd.machines)
            #expect(comparison.rows.contains { $0.hardwareClass == nil })
            // The wire form: hardware_class always present, ci as a pair.
            let object = try JSONSerialization.jsonObject(with: response.data) as? [String: Any]
            let first = try #require((object?["rows"] as? [[String: Any]])?.first)
            #expect(first.keys.contains("hardware_class") && first.keys.contains("ci"))

            let explicit = try await client.get(
                "/api/v1/comparisons/versions?implementation=pypy&from=7.3.16&to=7.3.17")
            #expect(explicit.data == response.data)
            let reversed = try await client.get("/api/v1/comparisons/versions?from=7.3.17&to=7.3.16")
            let backwards = try reversed.decode(VersionComparison.self)
            #expect(
                backwards.rows.first { $0.key == amd.key && $0.hardwareClass == amd.hardwareClass }?.verdict
                    == .improvement)

            let etag = try #require(response.headers[.eTag])
            let again = try await client.execute(
                uri: "/api/v1/comparisons/versions", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
        }
    }

    @Test("bad parameters are 400 problems naming the field; unknown implementations and versions are 404 problems")
    func errors() async throws {
        try await withSeeded(machines: 12) { client, _, _ in
            let cases: [(String, HTTPResponse.Status, String?)] = [
                ("?from=7.3.16", .badRequest, "to"),
                ("?to=7.3.17", .badRequest, "from"),
                ("?from=7.3.16&to=7.3.16", .badRequest, "to"),
                ("?from=7.3.16&to=7.3.17&extra=1", .badRequest, "extra"),
                ("?from=7.3.16&from=7.3.15&to=7.3.17", .badRequest, "from"),
                ("?from=%3Cscript%3E&to=7.3.17", .badRequest, "from"),
                ("?implementation=Jython", .notFound, nil),
                ("?from=7.3.16&to=9.9.9", .notFound, nil),
            ]
            for (query, status, field) in cases {
                let response = try await client.get("/api/v1/comparisons/versions\(query)")
                #expect(response.status == status, "\(query)")
                let problem = try response.problem()
                if let field { #expect(problem.errors?.first?.field == field, "\(query)") }
            }
            #expect(try await client.get("/api/v1/changes?x=1").problem().status == 400)
            #expect(try await client.get("/api/v1/comparisons/implementations?x=1").problem().status == 400)
        }
    }

    @Test("an empty server: no comparison to default to (404 problem), no changes, a valid empty feed")
    func empty() async throws {
        try await PageHarness.run { client, _ in
            let versions = try await client.get("/api/v1/comparisons/versions")
            #expect(versions.status == .notFound)
            _ = try versions.problem()
            let changes = try await client.get("/api/v1/changes")
            #expect(changes.status == .ok)
            let object = try JSONSerialization.jsonObject(with: changes.data) as? [String: Any]
            #expect((object?["changes"] as? [Any])?.isEmpty == true)
            let feed = try AtomFeed.parse(try await client.get("/changes.atom").data)
            #expect(feed.id != nil && feed.updated != nil && feed.entries.isEmpty)
            #expect(try await client.get("/changes").status == .ok)
            #expect(try await client.get("/versions").text.contains("No two versions"))
        }
    }

    @Test("changes list each version against the previous, with regressions and improvements, and follow new data")
    func changes() async throws {
        try await withSeeded { client, pipeline, submissions in
            let response = try await client.get("/api/v1/changes")
            let object = try #require(try JSONSerialization.jsonObject(with: response.data) as? [String: Any])
            let changes = try #require(object["changes"] as? [[String: Any]])
            #expect(changes.count == 1)
            let change = try #require(changes.first)
            #expect(change["implementation"] as? String == "PyPy")
            #expect(change["from"] as? String == "7.3.16" && change["to"] as? String == "7.3.17")
            let regressions = try #require(change["regressions"] as? [[String: Any]])
            let improvements = try #require(change["improvements"] as? [[String: Any]])
            #expect(regressions.contains { $0["hardware_class"] as? String == "x86_64/AuthenticAMD" })
            #expect(regressions.allSatisfy { $0["benchmark"] as? String == BenchmarkName.gcbench })
            #expect(improvements.allSatisfy { $0["benchmark"] as? String == BenchmarkName.jsonDumps })
            #expect(
                change["comparison"] as? String
                    == "/api/v1/comparisons/versions?implementation=PyPy&from=7.3.16&to=7.3.17")

            // A new run changes the figures' revision: the cached answer is recomputed.
            let etag = try #require(response.headers[.eTag])
            var extra = try #require(submissions.first { $0.interpreter.version == "7.3.17" })
            extra.id = UUID()
            _ = try await pipeline.ingest(extra, receivedAt: extra.createdAt.addingTimeInterval(120))
            let after = try await client.execute(uri: "/api/v1/changes", method: .get, headers: [.ifNoneMatch: etag])
            #expect(after.status == .ok)
            #expect(after.headers[.eTag] != etag)
        }
    }

    @Test("the Atom feed parses, with a feed id, updated, and entries with ids and links to their comparison")
    func feed() async throws {
        try await withSeeded { client, _, _ in
            let response = try await client.get("/changes.atom")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/atom+xml; charset=utf-8")
            let feed = try AtomFeed.parse(response.data)
            #expect(feed.id == "tag:crowdspeed,2026:changes")
            #expect(feed.updated.flatMap(RFC3339.parse) != nil)
            #expect(feed.entries.count == 1)
            let entry = try #require(feed.entries.first)
            #expect(entry.id == "tag:crowdspeed,2026:changes/PyPy/7.3.16/7.3.17")
            #expect(entry.updated.flatMap(RFC3339.parse) != nil)
            #expect(entry.links.contains("/versions?implementation=PyPy&from=7.3.16&to=7.3.17"))
            #expect(entry.title?.contains("regression") == true)
        }
    }

    @Test("PyPy against CPython, paired: JSON rows with a speedup and its interval")
    func implementations() async throws {
        try await withSeeded { client, _, _ in
            let comparison = try await client.get("/api/v1/comparisons/implementations")
                .decode(ImplementationComparison.self)
            #expect(comparison.baseline == "newest CPython" && comparison.candidate == "newest PyPy")
            let dumps = try #require(
                comparison.rows.first { $0.benchmark == BenchmarkName.jsonDumps && $0.hardwareClass == nil })
            // The simulator's PyPy takes 0.6 of CPython's time on dumps: about 1.7× faster.
            #expect(dumps.speedup > 1.4 && dumps.speedup < 2.0)
            #expect(dumps.speedupInterval.lower <= dumps.speedup && dumps.speedup <= dumps.speedupInterval.upper)
        }
    }

    @Test("nursery drift from the stored curve summaries: a planted doubling of the optimum on ARM is found there")
    func nurseryDrift() async throws {
        try await PageHarness.run { client, store in
            let pipeline = Pipeline(stores: StoreCapabilities(store))
            var options = VersionedSimulationOptions()
            options.repeatShare = 1
            options.cpythonShare = 0
            options.jsonPayloads = []
            options.effects = [
                VersionEffect(
                    version: "7.3.17", hardwareClass: HardwareClass(arch: "aarch64", cpuVendor: "ARM"),
                    benchmark: BenchmarkName.gcbench, optimumShiftLog2: 1)
            ]
            for submission in VersionedPopulationSimulator(seed: 41, options: options).submissions(count: 100) {
                _ = try await pipeline.ingest(submission, receivedAt: submission.createdAt.addingTimeInterval(60))
            }
            let response = try await client.get("/api/v1/comparisons/nursery?from=7.3.16&to=7.3.17")
            #expect(response.status == .ok)
            let drift = try response.decode(NurseryDrift.self)
            let arm = try #require(drift.rows.first { $0.hardwareClass?.cpuVendor == "ARM" })
            #expect(arm.machines >= 4)
            #expect(abs(arm.medianShiftLog2 - 1) <= 0.5)
            #expect(arm.up > arm.down)
            for row in drift.rows where row.hardwareClass?.arch == "x86_64" && row.machines >= 6 {
                #expect(abs(row.medianShiftLog2) < 0.5, "\(row.hardwareClass?.description ?? "")")
            }
            #expect(try await client.get("/api/v1/comparisons/nursery?implementation=CPython").status == .notFound)
            let page = try await client.get("/versions?from=7.3.16&to=7.3.17").text
            #expect(page.contains("Best nursery between these versions") && page.contains("×2.00"))
        }
    }

    @Test("pages: changes, versions with its picker, the timeline per implementation, and a machine's history")
    func pages() async throws {
        try await withSeeded { client, _, submissions in
            let changes = try await client.get("/changes")
            #expect(changes.status == .ok)
            let html = changes.text
            #expect(html.contains("PyPy 7.3.16 → 7.3.17"))
            #expect(html.contains("x86_64/AuthenticAMD") && html.contains("regression"))
            #expect(html.contains("Benjamini–Hochberg") && html.contains("2%"))
            #expect(html.contains(#"href="/machines/m-"#))
            // Regressions come first.
            let regression = try #require(html.range(of: "<td>regression</td>"))
            if let improvement = html.range(of: "<td>improvement</td>") {
                #expect(regression.lowerBound < improvement.lowerBound)
            }
            PageChecks.expectNoInlineCode(html)

            let versions = try await client.get("/versions?implementation=PyPy&from=7.3.16&to=7.3.17").text
            #expect(versions.contains(#"<form class="picker" method="get" action="/versions">"#))
            #expect(versions.contains(#"<option value="7.3.16" selected>"#))
            #expect(versions.contains("PyPy against CPython") && versions.contains("×"))
            PageChecks.expectNoInlineCode(versions)
            #expect(try await client.get("/versions").text.contains("PyPy 7.3.16 → 7.3.17"))
            #expect(try await client.get("/versions?from=7.3.16&to=1.0").status == .notFound)
            #expect(try await client.get("/versions?from=7.3.16").status == .badRequest)

            let timeline = try await client.get("/timeline").text
            #expect(timeline.contains("<h2>PyPy</h2>") && timeline.contains("<h2>CPython</h2>"))
            #expect(timeline.contains("paired on"))
            #expect(timeline.contains(#"id="timeline-1""#) && !timeline.contains(#"id="timeline-2""#))

            let repeated = try #require(
                Dictionary(grouping: submissions, by: \.machine.machineID).first { $0.value.count >= 3 })
            let machine = try await client.get("/machines/\(repeated.key)").text
            #expect(machine.contains("Across versions"))
            #expect(machine.contains("<caption>PyPy</caption>"))
        }
    }
}

/// The parts of an Atom document the tests read, parsed with Foundation's XMLParser.
struct AtomFeed {
    struct Entry {
        var id: String?
        var title: String?
        var updated: String?
        var links: [String] = []
    }

    var id: String?
    var updated: String?
    var entries: [Entry] = []

    struct Invalid: Error {}

    static func parse(_ data: Data) throws -> AtomFeed {
        let delegate = Delegate()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        guard parser.parse(), delegate.rootIsAtomFeed else { throw Invalid() }
        return delegate.feed
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var feed = AtomFeed()
        var rootIsAtomFeed = false
        private var path: [String] = []
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if path.isEmpty { rootIsAtomFeed = name == "feed" && namespaceURI == "http://www.w3.org/2005/Atom" }
            path.append(name)
            text = ""
            if name == "entry" { feed.entries.append(Entry()) }
            if name == "link", path.count == 3, path[1] == "entry", let href = attributes["href"] {
                feed.entries[feed.entries.count - 1].links.append(href)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            defer { path.removeLast() }
            switch (path.count, name) {
            case (2, "id"): feed.id = text
            case (2, "updated"): feed.updated = text
            case (3, "id") where path[1] == "entry": feed.entries[feed.entries.count - 1].id = text
            case (3, "title") where path[1] == "entry": feed.entries[feed.entries.count - 1].title = text
            case (3, "updated") where path[1] == "entry": feed.entries[feed.entries.count - 1].updated = text
            default: break
            }
        }
    }
}
