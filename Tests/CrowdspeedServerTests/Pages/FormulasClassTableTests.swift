import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedFit
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Testing

/// The formulas page's class table shows each class's real counts, small classes included.
@Suite("Formulas page class table")
struct FormulasClassTableTests {
    /// (class, machines, curves, CPU models, formula cell) per row of the class table.
    static func rows(_ html: String) -> [(name: String, machines: Int, curves: Int, cpuModels: Int, formula: String)] {
        let pattern =
            #"<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td class="num">([^<]+)</td><td class="num">([^<]+)</td><td>(.*?)</td>"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let text = html as NSString
        return regex.matches(in: html, range: NSRange(location: 0, length: text.length)).map { match in
            func group(_ i: Int) -> String { text.substring(with: match.range(at: i)) }
            return (group(1), Int(group(2)) ?? -1, Int(group(3)) ?? -1, Int(group(4)) ?? -1, group(5))
        }
    }

    @Test(
        "classes below the minimum show their machines, curves and CPU models and say why they share the global formula"
    )
    func smallClassesCounted() async throws {
        try await PageHarness.run { client, store in
            try await PageFixture.seed(store)
            let stored = try #require(try await store.latestFormula(scope: .synthetic))
            let report = try FittedFormula(stored: stored).report
            let evidence = try #require(report.classEvidence)
            let rows = Self.rows(try await client.get("/formulas").text)
            #expect(rows.count == evidence.count, "one row per class: \(rows.map(\.name))")
            for counts in evidence {
                let row = try #require(
                    rows.first { $0.name == counts.hardwareClass.description }, "no row for \(counts.hardwareClass)")
                #expect(row.machines == counts.machines)
                #expect(row.curves == counts.curves && row.curves > 0, "\(row.name): \(row.curves) curves")
                #expect(
                    row.cpuModels == counts.cpuModels && row.cpuModels > 0, "\(row.name): \(row.cpuModels) CPU models")
                if !counts.eligible {
                    #expect(
                        row.formula.contains("too few machines") || row.formula.contains("single CPU model"),
                        "\(row.formula)")
                }
            }
            #expect(evidence.contains { !$0.eligible }, "the 16-machine fixture should have a class below the minimum")
        }
    }
}
