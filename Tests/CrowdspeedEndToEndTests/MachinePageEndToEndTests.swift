import CrowdspeedAgent
import CrowdspeedCore
import CrowdspeedTestSupport
import Foundation
import Testing

extension EndToEnd {
    /// Issue 5's "a real agent submission appears on its machine page": the agent binary sweeps
    /// the real pypy3 on this machine, submits to a live server, and the HTML page shows it.
    @Suite("Machine page end to end")
    struct MachinePageEndToEndTests {
        /// Text as the page templates escape it.
        static func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "'", with: "&#39;")
        }

        @Test("/machines/{id} shows this machine's real CPU model, its L2 and L3 as sysfs reports them, and the run")
        func realSubmissionOnItsPage() async throws {
            let directory = try TemporaryDirectory()
            let home = directory.url.appendingPathComponent("home")
            let spoolPath = directory.path("spool")
            // The smallest real sweep: two sizes and the default, one process, two measured rounds.
            let sweep = [
                "--quick", "--no-discover", "--python", "/usr/bin/pypy3", "--grid", "1M,8M", "--procs", "1", "--rounds",
                "2", "--seed", "7",
            ]
            let machine = try MachineProbe.current()
            // Independent of the agent's probe: the sizes straight from sysfs.
            let l2 = try #require(AgentEndToEndTests.sysfsSize(level: 2), "this machine lists no L2 in sysfs")
            let l3 = AgentEndToEndTests.sysfsSize(level: 3)

            try await LiveServer.run(databasePath: directory.path("crowdspeed.sqlite")) { baseURL in
                let run = try await AgentEndToEndTests.runAgent(
                    ["run", "--server", baseURL.absoluteString, "--yes", "--spool", spoolPath] + sweep, home: home)
                #expect(run.exitCode == 0, "\(run.stderr)")
                let stored = try #require(
                    run.stdout.firstMatch(of: /stored as submission ([0-9a-f-]{36})/)?.1, "stdout: \(run.stdout)")
                let submission = try await HTTPClient(baseURL: baseURL).getSubmission(UUID(uuidString: String(stored))!)
                    .decode(Submission.self)
                #expect(submission.machine.machineID == machine.machineID)

                let page = try await HTTPClient(baseURL: baseURL).send("GET", "/machines/\(machine.machineID)")
                #expect(page.status == 200)
                #expect(page.header("content-type")?.hasPrefix("text/html") == true)
                let html = String(decoding: page.body, as: UTF8.self)
                #expect(html.contains(Self.escaped(machine.cpuModel)), "the real CPU model \(machine.cpuModel)")
                #expect(!machine.cpuModel.isEmpty)
                let caches = "L2 \(NurserySize.format(l2)) · L3 \(l3.map(NurserySize.format) ?? "—")"
                #expect(html.contains(caches), "expected \(caches) in the page's hardware line")
                // The run: its interpreter and a link to its raw data.
                #expect(html.contains("/api/v1/submissions/\(stored)"))
                #expect(html.contains("\(submission.interpreter.implementation) \(submission.interpreter.version)"))
                #expect(html.contains("id=\"runs-heading\""))
            }
        }
    }
}
