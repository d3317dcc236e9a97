import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Testing

/// One install contributes at most one machine's weight per hardware class.
@Suite("Install weight cap")
struct InstallWeightCapTests {
    static func row(
        _ install: String?, _ machine: String, quarantined: Bool = false, hardwareClass: String = "x86_64/AuthenticAMD"
    ) -> SubmissionProvenance {
        SubmissionProvenance(
            submissionID: UUID(), machineID: machine, installID: install, hardwareClass: hardwareClass, source: .agent,
            quarantined: quarantined, flagReason: nil)
    }

    @Test("a spammer's hundred machines weigh one in all; honest machines weigh one each")
    func spam() {
        var rows = (0..<100).map { Self.row("i-spam", "m-fake\($0)") }
        rows += [Self.row("i-alice", "m-alice"), Self.row("i-bob", "m-bob"), Self.row(nil, "m-import")]
        let weights = InstallWeightCap.machineWeights(rows)
        let fake = weights.filter { $0.key.hasPrefix("m-fake") }.values.reduce(0, +)
        #expect(abs(fake - 1) < 1e-9)
        #expect(weights["m-alice"] == 1 && weights["m-bob"] == 1 && weights["m-import"] == 1)
    }

    @Test(
        "a machine shared by two installs weighs one; a claimed honest machine no more than one; quarantined rows weigh nothing"
    )
    func sharing() {
        let rows = [
            Self.row("i-a", "m-1"), Self.row("i-b", "m-1"), Self.row("i-spam", "m-1"), Self.row("i-spam", "m-2"),
            Self.row("i-q", "m-3", quarantined: true), Self.row("i-spam", "m-4", hardwareClass: "aarch64/ARM"),
        ]
        let weights = InstallWeightCap.machineWeights(rows)
        #expect(weights["m-1"] == 1)
        #expect(weights["m-2"] == 0.5)
        #expect(weights["m-3"] == nil)
        // The cap is per class: the same install's machine in another class weighs one.
        #expect(weights["m-4"] == 1)
    }
}
