import CrowdspeedCore
import Foundation
import Testing

/// Consistent rounds and robust outlier screening: the plausibility checks beyond field ranges.
@Suite("Plausibility")
struct PlausibilityTests {
    @Test("a procs=2 result may hold two samples per round, not three")
    func roundsHoldAtMostProcsSamples() {
        var submission = SubmissionFixture.make()
        let index = submission.results.firstIndex { $0.params.procs == 2 }!
        #expect(submission.validationIssues(now: SubmissionFixture.now).isEmpty)
        submission.results[index].samples.append(submission.results[index].samples[0])
        let issues = submission.validationIssues(now: SubmissionFixture.now)
        #expect(
            issues.contains { $0.field == "results[\(index)].samples" && $0.reason.contains("3 samples of round 0") })
    }

    @Test("a single-process result may hold one sample per round")
    func singleProcessRounds() {
        var submission = SubmissionFixture.make()
        let index = submission.results.firstIndex { $0.params.procs == 1 }!
        submission.results[index].samples[1].round = submission.results[index].samples[0].round
        let issues = submission.validationIssues(now: SubmissionFixture.now)
        #expect(issues.contains { $0.field == "results[\(index)].samples" && $0.reason.contains("one process") })
    }

    @Test("rounds beyond run.rounds are refused")
    func roundBeyondRun() {
        var submission = SubmissionFixture.make()
        submission.results[0].samples[0].round = submission.run!.rounds
        #expect(
            submission.validationIssues(now: SubmissionFixture.now).contains {
                $0.field == "results[0].samples[0].round"
            })
    }

    @Test("the screened value is the median default-nursery procs=1 CPU time, failed samples left out")
    func screenedValue() {
        var submission = SubmissionFixture.make()
        let index = submission.results.firstIndex { $0.params.procs == 1 && $0.params.nurseryBytes == nil }!
        submission.results[index].samples = [100, 300, 200, 9_999].enumerated().map { round, cpu in
            Sample(
                wallMs: cpu, cpuMs: cpu, maxRSSBytes: 1, round: round, foreignLoad: 0, failed: cpu == 9_999 ? true : nil
            )
        }
        #expect(OutlierScreen.value(of: submission) == 200)
        submission.results.remove(at: index)
        #expect(OutlierScreen.value(of: submission) == nil)
    }

    @Test("flags a value far outside its peers, not one within their spread, and nothing with too few peers")
    func outlierFlag() {
        // Peers spread ±5% around 800 ms.
        let peers = (0..<20).map { 800 * (0.95 + 0.1 * Double($0) / 19) }
        #expect(OutlierScreen.flag(830, peers: peers) == nil)
        #expect(OutlierScreen.flag(760, peers: peers) == nil)
        let slow = OutlierScreen.flag(2_400, peers: peers)
        #expect(slow?.contains("outlier") == true)
        #expect(OutlierScreen.flag(80, peers: peers) != nil)
        #expect(OutlierScreen.flag(2_400, peers: Array(peers.prefix(OutlierScreen.minimumPeers - 1))) == nil)
        // Identical peers: the MAD floor keeps a 3% difference unflagged, a 2× one flagged.
        let same = Array(repeating: 800.0, count: 10)
        #expect(OutlierScreen.flag(824, peers: same) == nil)
        #expect(OutlierScreen.flag(1_600, peers: same) != nil)
        #expect(abs(OutlierScreen.score(800, peers: peers) ?? 99) < 1)
    }
}
