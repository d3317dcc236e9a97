@testable import CrowdspeedServer
import Mustache
import Testing

/// Row types that name their fields for the templates (`MustacheParent`, to avoid reflection)
/// must name every one: a field added to the struct but not to `child(named:)` would render
/// as empty without any error.
@Suite("Template rows without reflection")
struct MustacheRowLookupTests {
    @Test("every stored field of a row is found by its name, with its value")
    func everyFieldNamed() {
        let scatter = OverviewChart.Row(
            href: "/machines/m-1", label: "EPYC", l2: "512K", llc: "32M", cores: 2, best: "8M", predicted: "4M",
            pypyDefault: "1M")
        let machine = MachinesPageModel.Row(
            id: "m-1", href: "/machines/m-1", vendor: "AuthenticAMD", model: "EPYC", virtualized: true, l2: "512K",
            l3: "32M",
            cores: 2, runs: 3, best: "8M", gain: "+4%", seen: "today", seenISO: "2026-11-25")
        for row in [scatter as any MustacheParent, machine as any MustacheParent] {
            let fields = Mirror(reflecting: row).children
            #expect(fields.count > 5)
            for field in fields {
                let label = field.label ?? ""
                #expect(row.child(named: label).map { "\($0)" } == "\(field.value)", "\(type(of: row)).\(label)")
            }
            #expect(row.child(named: "noSuchField") == nil)
        }
    }
}
