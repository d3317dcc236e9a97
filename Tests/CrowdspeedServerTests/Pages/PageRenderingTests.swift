import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Every page rendered through the router from a real temporary SQLite store with fixed data:
/// the right rows and values appear, errors are HTML with the real status, and submitted
/// strings are escaped everywhere.
@Suite("Dashboard pages")
struct PageRenderingTests {
    /// Runs `test` against a demo-mode router over a freshly seeded store.
    func withPages(_ test: @Sendable (any TestClientProtocol, SQLiteResultStore, String) async throws -> Void)
        async throws
    {
        try await PageHarness.run { client, store in
            let hostile = try await PageFixture.seed(store)
            try await test(client, store, hostile)
        }
    }

    @Test("overview shows counts, the fitted formula beside PyPy's rule, the chart data and latest runs")
    func overview() async throws {
        try await withPages { client, store, _ in
            let response = try await client.get("/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = response.text
            let counts = try await store.dashboardCounts()
            #expect(html.contains("<dd>\(counts.machines)</dd>"))
            #expect(html.contains("PyPy's own rule"))
            #expect(html.contains("fitted on synthetic data"))
            #expect(html.contains("Demo server — synthetic data"))
            #expect(html.contains(#"id="headline-chart""#))
            #expect(
                html.contains(#"<script type="application/json" id="chart-data">{"formula_name":"#)
                    || html.contains(#"<script type="application/json" id="chart-data">{"#))
            #expect(html.contains("/api/v1/submissions/0badc0de-0000-4000-8000-000000000001"))
            PageChecks.expectNoInlineCode(html)
        }
    }

    @Test("machines table sorts and filters from the query, and pages")
    func machines() async throws {
        try await withPages { client, store, _ in
            let all = try await client.get("/machines?sort=cores&dir=asc").text
            let page = try await store.machineTable(MachineTableQuery(sort: .cores, descending: false, limit: 100))
            let firstModel = try #require(page.first?.summary.cpuModel)
            #expect(all.contains(#"aria-sort="ascending""#))
            #expect(all.range(of: PageChecks.escaped(firstModel)) != nil)
            let filtered = try await client.get("/machines?q=Neoverse").text
            let expected = try await store.machineCount(filter: "Neoverse")
            #expect(filtered.contains("\(expected) machines matching “Neoverse”"))
            #expect(!filtered.contains("GenuineIntel</td>"))
            let bad = try await client.get("/machines?sort=colour")
            #expect(bad.status == .badRequest)
            #expect(bad.headers[.contentType] == "text/html; charset=utf-8")
            #expect(bad.text.contains("sort must be one of"))
        }
    }

    @Test("every sort of the machines table pages in its column's order, missing values last, ties by id")
    func machineTableOrder() async throws {
        try await withPages { _, store, _ in
            for key in MachineTableQuery.SortKey.allCases {
                for descending in [false, true] {
                    let whole = try await store.machineTable(
                        MachineTableQuery(sort: key, descending: descending, limit: 10_000))
                    #expect(whole.count > 3)
                    #expect(try await store.machineCount(filter: nil) == whole.count)
                    var paged: [MachineTableRow] = []
                    for offset in stride(from: 0, to: whole.count, by: 3) {
                        paged += try await store.machineTable(
                            MachineTableQuery(sort: key, descending: descending, limit: 3, offset: offset))
                    }
                    #expect(paged.map(\.summary.id) == whole.map(\.summary.id), "\(key) descending: \(descending)")
                    for (a, b) in zip(whole, whole.dropFirst()) {
                        #expect(
                            Self.inOrder(a, b, key: key, descending: descending),
                            "\(key) descending: \(descending): \(a.summary.id) before \(b.summary.id)")
                    }
                }
            }
        }
    }

    /// Whether `a` may come before `b`: by the key (missing values last, SQLite's byte order for
    /// text), then by id.
    static func inOrder(_ a: MachineTableRow, _ b: MachineTableRow, key: MachineTableQuery.SortKey, descending: Bool)
        -> Bool
    {
        func value(_ row: MachineTableRow) -> [Double]? {
            let summary = row.summary
            return switch key {
            case .vendor: summary.cpuVendor.utf8.map(Double.init)
            case .model: summary.cpuModel.utf8.map(Double.init)
            case .l2: summary.l2Bytes.map { [Double($0)] }
            case .l3: summary.l3Bytes.map { [Double($0)] }
            case .cores: [Double(summary.physicalCores)]
            case .runs: [Double(summary.submissionCount)]
            case .seen: [summary.lastSeen.timeIntervalSince1970]
            case .best: row.bestNurseryBytes.map { [Double($0)] }
            case .gain: row.gainOverDefault.map { [$0] }
            }
        }
        switch (value(a), value(b)) {
        case (nil, nil): return a.summary.id < b.summary.id
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?):
            if x == y { return a.summary.id < b.summary.id }
            return descending ? y.lexicographicallyPrecedes(x) : x.lexicographicallyPrecedes(y)
        }
    }

    @Test("machine page shows curves with best sizes, JSON per interpreter, runs with raw links, hardware")
    func machine() async throws {
        try await withPages { client, store, _ in
            let row = try #require(try await store.machineTable(MachineTableQuery(sort: .best, limit: 1)).first)
            let id = row.summary.id
            let html = try await client.get("/machines/\(id)").text
            let curves = try await store.machineCurves(machineID: id)
            let one = try #require(curves.first { $0.key.procs == 1 })
            #expect(html.contains("PyPy \(one.key.interpreterVersion) · gcbench v1"))
            #expect(html.contains(NurserySize.format(try #require(one.summary.best?.nurseryBytes))))
            #expect(html.contains("PYPY_GC_NURSERY="))
            // Which figure is which: the machine's own resolved curve answers, the formula beside it.
            if MachineAdvice.resolvedCurve(in: curves, procs: 1, pypyVersion: one.key.interpreterVersion) != nil {
                #expect(html.contains("this machine's own measured curve"))
                #expect(html.contains("Measured gain over PyPy's default"))
            }
            if try await store.latestFormulaVersion(scope: .synthetic) != nil {
                #expect(html.contains("Formula's expected gain for this machine"))
                #expect(html.contains("Formula's average gain over all training machines"))
            }
            #expect(html.contains("CPython"))
            #expect(html.contains("dumps · records · json"))
            let detail = try #require(try await store.machine(id: id))
            for run in detail.submissions {
                #expect(html.contains("/api/v1/submissions/\(run.id.uuidString.lowercased())"))
            }
            #expect(html.contains("Caches"))
            #expect(html.contains(#"class="curve-chart""#))
        }
    }

    @Test("unknown and malformed machines are HTML error pages with the real status; the API keeps problem+json")
    func machineErrors() async throws {
        try await withPages { client, _, _ in
            let missing = try await client.get("/machines/m-0000000000000000")
            #expect(missing.status == .notFound)
            #expect(missing.headers[.contentType] == "text/html; charset=utf-8")
            #expect(missing.text.contains("No machine with id m-0000000000000000"))
            #expect(try await client.get("/machines/nonsense").status == .badRequest)
            // An unknown path is a page for a browser and a problem for a program.
            let unknownPath = try await client.execute(
                uri: "/no/such/page", method: .get, headers: [.accept: "text/html,*/*;q=0.8"])
            #expect(unknownPath.status == .notFound)
            #expect(unknownPath.text.contains("<!doctype html>"))
            let unknownForProgram = try await client.get("/no/such/page")
            #expect(unknownForProgram.headers[.contentType] == ProblemDetails.mediaType)
            let api = try await client.get("/api/v1/machines/m-0000000000000000")
            #expect(api.headers[.contentType] == ProblemDetails.mediaType)
        }
    }

    @Test("compare overlays 2–6 machines from a shareable URL and refuses bad lists")
    func compare() async throws {
        try await withPages { client, store, _ in
            let rows = try await store.machineTable(MachineTableQuery(sort: .best, limit: 3))
            let ids = rows.map(\.summary.id)
            let html = try await client.get("/compare?" + ids.map { "m=\($0)" }.joined(separator: "&")).text
            for row in rows { #expect(html.contains("/machines/\(row.summary.id)")) }
            #expect(html.contains(#"id="compare-curves""#))
            #expect(html.contains("PyPy") && html.contains("CPython"))
            let tooMany = (0..<7).map { "m=m-\(String(repeating: "0", count: 15))\($0)" }.joined(separator: "&")
            #expect(try await client.get("/compare?" + tooMany).status == .badRequest)
            #expect(try await client.get("/compare?m=m-0000000000000000&m=\(ids[0])").status == .notFound)
            #expect(try await client.get("/compare").status == .ok)
        }
    }

    @Test("formulas page lists the served formula, baselines, classes, realized gains from verifications and history")
    func formulas() async throws {
        try await withPages { client, store, _ in
            let history = try await store.formulaHistory(scope: .synthetic, limit: 5)
            let latest = try #require(history.first)
            // Two machines verified the served formula's sizes: realized 4% and 6%, predicted 5% and 7%.
            let machines = try await store.machines(limit: 2, offset: 0).machines.map(\.id)
            #expect(machines.count == 2)
            for (index, machine) in machines.enumerated() {
                let gain = 0.04 + 0.02 * Double(index)
                let verification = Verification(
                    id: UUID(), createdAt: SweepFixture.createdAt,
                    agent: AgentInfo(name: "crowdspeed-agent", version: "t"),
                    machineID: machine, pypyVersion: "7.3.11", procs: 1, nurseryBytes: 8 << 20,
                    defaultNurseryBytes: nil,
                    sizeSource: .init(kind: .formula, formulaVersion: latest.version, predictedGain: gain + 0.01),
                    seed: 1, rounds: 1, failedSamples: 0, roundGains: [gain], gain: gain, gainLower: nil,
                    gainUpper: nil,
                    confidence: 0.95)
                #expect(
                    try await store.storeVerification(
                        verification, receivedAt: SweepFixture.now, installTokenHash: nil, origin: nil) == .created)
            }
            let html = try await client.get("/formulas").text
            #expect(html.contains("Realized gains from verifications"))
            #expect(
                html.contains(
                    #"<th scope="row" class="num">\#(latest.version) (served)</th><td class="num">2</td><td class="num">2</td><td class="num">+5.0%</td><td class="num">+4.5% to +5.5%</td><td class="num">+6.0%</td><td class="num">0</td>"#
                ), "\(html)")
            #expect(html.contains("\(latest.metrics.globalName) (served)"))
            #expect(html.contains("pypy_default"))
            #expect(html.contains("best_constant"))
            #expect(html.contains("x86_64/GenuineIntel") || html.contains("x86_64/AuthenticAMD"))
            #expect(html.contains(#"id="formulas-chart""#))
        }
    }

    @Test("timeline shows gcbench and JSON medians per implementation and version")
    func timeline() async throws {
        try await withPages { client, _, _ in
            let html = try await client.get("/timeline").text
            #expect(html.contains("gcbench, default nursery, 1 process"))
            #expect(html.contains("<h2>CPython</h2>") && html.contains(#"<th scope="col" class="num">3.11.2</th>"#))
            #expect(html.contains("loads · nested · json"))
            #expect(html.contains("machine"))
        }
    }

    @Test("submit page shows agent commands for the configured or requested server URL")
    func submit() async throws {
        try await withPages { client, _, _ in
            // The router test has no Host; the live browser test checks the request's own origin.
            let html = try await client.get("/submit").text
            #expect(html.contains("crowdspeed-agent run --server http"))
            #expect(html.contains("crowdspeed-agent run --quick --dry-run"))
        }
        try await PageHarness.run(configure: { $0.publicURL = "https://crowdspeed.example.net" }) { client, _ in
            let html = try await client.get("/submit").text
            #expect(html.contains("--server https://crowdspeed.example.net"))
        }
    }

    @Test("submitted strings are escaped on every page and inside chart data")
    func escaping() async throws {
        try await withPages { client, _, hostile in
            let ids = "m=\(hostile)&m=\(hostile)x".replacingOccurrences(of: "&m=\(hostile)x", with: "")
            for path in [
                "/", "/machines", "/machines?q=%3Cscript%3E", "/machines/\(hostile)", "/compare?\(ids)", "/formulas",
                "/timeline", "/changes", "/versions",
            ] {
                let html = try await client.get(path).text
                #expect(!html.contains(PageFixture.script), "raw script on \(path)")
                #expect(!html.contains("<img src=x"), "raw img on \(path)")
                #expect(!html.contains("<script>alert"), "raw script on \(path)")
                PageChecks.expectNoInlineCode(html)
            }
            let machine = try await client.get("/machines/\(hostile)").text
            #expect(machine.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
            #expect(machine.contains("&lt;img src=x onerror=alert(1)&gt;"))
            #expect(machine.contains(#"\u003cscript\u003e"#), "chart data escapes < for the script element")
        }
    }

    @Test("static assets and Chart.js are served with ETags; pages say when charts are unavailable")
    func assets() async throws {
        try await PageHarness.run { client, _ in
            let css = try await client.get("/static/style.css")
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            let etag = try #require(css.headers[.eTag])
            let again = try await client.execute(uri: "/static/style.css", method: .get, headers: [.ifNoneMatch: etag])
            { $0 }
            #expect(again.status == .notModified)
            #expect(try await client.get("/static/nope.js").status == .notFound)
            #expect(try await client.get("/static/..%2FPackage.swift").status == .notFound)
        }
        try await PageHarness.run(configure: { $0.chartJSPath = "/nonexistent/chart.js" }) { client, _ in
            #expect(try await client.get("/vendor/chart.js").status == .notFound)
            let html = try await client.get("/").text
            #expect(html.contains("Charts are unavailable on this server"))
            #expect(!html.contains("/vendor/chart.js"))
        }
    }

    @Test("templates use triple braces only for script-escaped JSON and fragments they rendered")
    func tripleBraces() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Web/templates").standardized
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        #expect(files.count >= 9)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            #expect(!text.contains("{{&"), "\(file.lastPathComponent) uses {{& }}")
            var rest = text[...]
            while let open = rest.range(of: "{{{") {
                let close = try #require(rest[open.upperBound...].range(of: "}}}"))
                let name = rest[open.upperBound..<close.lowerBound]
                #expect(["chartJSON", "chartTableHTML"].contains(name), "\(file.lastPathComponent): {{{\(name)}}}")
                rest = rest[close.upperBound...]
            }
        }
    }
}
