import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import Testing

/// A machine's curves are maintained from each new submission alone (its key's bounded window),
/// and summarized outside the writer; what they show must be exactly what a recomputation from
/// every remaining curve gives, across ingest, deletion, quarantine and release.
@Suite("Curve windows")
struct CurveWindowTests {
    /// `count` submissions of one simulated machine, each with its own noise (a volunteer
    /// re-running the sweep), received a minute apart.
    static func sweeps(_ count: Int, machine index: Int = 3) -> [Submission] {
        let base = PopulationSimulator(seed: 41).machine(at: index).submission
        return (0..<count).map { k in
            var random = SplitMix64(seed: UInt64(k + 1) &* 0x9E37_79B9)
            var submission = base
            submission.id = UUID()
            for r in submission.results.indices {
                for s in submission.results[r].samples.indices {
                    // Log-normal noise of about 4%.
                    submission.results[r].samples[s].cpuMs *= exp(0.04 * random.nextGaussian())
                }
            }
            return submission
        }
    }

    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// The window and summary a recomputation from `submissions` (in order) gives for `key`.
    static func recomputed(_ submissions: [Submission], key: MachineCurveKey) -> (Curve, MachineCurveSummary) {
        let curves = submissions.flatMap { submission in
            CurveDerivation.curves(of: submission).filter {
                $0.procs == key.procs && $0.benchmarkVersion == key.benchmarkVersion
            }.map(\.curve)
        }
        let window = CurveCombiner.window(CurveCombiner.combine(curves))
        return (
            window,
            MachineCurveSummary.summarize(
                window, submissionCount: submissions.count, seed: CurveSummarizer.seed(key))
        )
    }

    /// Checks every stored curve of the machine against the recomputation from `visible`.
    static func expectCurves(
        _ stores: StoreCapabilities, machineID: String, equalTo visible: [Submission]
    ) async throws {
        let stored = try await stores.curves.machineCurves(machineID: machineID)
        #expect(!stored.isEmpty)
        #expect(try await stores.curves.staleCurveWindows(machineID: machineID, limit: 10).isEmpty)
        for curve in stored {
            let (window, summary) = recomputed(visible, key: curve.key)
            #expect(curve.summary == summary, "procs \(curve.key.procs)")
            #expect(curve.summary.roundCount == window.roundCount)
        }
    }

    @Test("incremental windows equal the full recomputation across ingest, deletion, quarantine and release")
    func incrementalEqualsRecomputation() async throws {
        try await withPipeline { pipeline in
            // 60 sweeps of 5 rounds: more rounds than the window holds, so trimming is exercised.
            let sweeps = Self.sweeps(60)
            var tokens: [UUID: String] = [:]
            var installHash: String?
            for (k, submission) in sweeps.enumerated() {
                let deletion = SecretToken.generate()
                let install = SecretToken.generate()
                tokens[submission.id] = deletion
                let result = try await pipeline.ingest(
                    submission, receivedAt: Self.start.addingTimeInterval(Double(60 * k)),
                    credentials: IngestCredentials(
                        presentedInstallHash: installHash, newInstallHash: SecretToken.digest(install),
                        deletionHash: SecretToken.digest(deletion)))
                if result.installIssued { installHash = SecretToken.digest(install) }
            }
            let machineID = sweeps[0].machine.machineID
            let windows = try await pipeline.stores.curves.machineCurves(machineID: machineID)
            #expect(windows.allSatisfy { $0.summary.roundCount == CurveCombiner.windowRounds })
            try await Self.expectCurves(pipeline.stores, machineID: machineID, equalTo: sweeps)

            // Deleting one in the middle gives the curves of the other 59.
            let deleted = sweeps[20]
            #expect(
                try await pipeline.deleteSubmission(
                    id: deleted.id, deletionTokenHash: SecretToken.digest(try #require(tokens[deleted.id])),
                    at: Self.start.addingTimeInterval(86_400))
                    == .deleted(machineID: machineID, machineRemoved: false))
            var visible = sweeps.filter { $0.id != deleted.id }
            try await Self.expectCurves(pipeline.stores, machineID: machineID, equalTo: visible)

            // Quarantine hides one more; release brings it back where it was.
            let hidden = sweeps[50]
            _ = try await pipeline.setQuarantine(
                .submission(hidden.id), quarantined: true, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_401))
            try await Self.expectCurves(
                pipeline.stores, machineID: machineID, equalTo: visible.filter { $0.id != hidden.id })
            _ = try await pipeline.setQuarantine(
                .submission(hidden.id), quarantined: false, reason: nil, actor: "test",
                at: Self.start.addingTimeInterval(86_402))
            try await Self.expectCurves(pipeline.stores, machineID: machineID, equalTo: visible)

            // And the next sweep extends the rebuilt window exactly as a recomputation would.
            let next = Self.sweeps(61).last!
            _ = try await pipeline.ingest(next, receivedAt: Self.start.addingTimeInterval(86_500))
            visible.append(next)
            try await Self.expectCurves(pipeline.stores, machineID: machineID, equalTo: visible)
        }
    }

    @Test("the window's estimate stays within the full history's: best size in its flat set, points within 2%")
    func windowMatchesFullHistory() {
        // 400 sweeps × 5 rounds of one stationary machine: the window keeps the last 256 rounds.
        let sweeps = Self.sweeps(400, machine: 7)
        for procs in [1] {
            let curves = sweeps.flatMap { CurveDerivation.curves(of: $0).filter { $0.procs == procs }.map(\.curve) }
            let full = CurveCombiner.combine(curves)
            let window = CurveCombiner.window(full)
            #expect(full.roundCount == 2000 && window.roundCount == CurveCombiner.windowRounds)
            let fullSummary = MachineCurveSummary.summarize(full, submissionCount: 400, seed: 9, replicates: 100)
            let windowSummary = MachineCurveSummary.summarize(window, submissionCount: 400, seed: 9, replicates: 100)
            #expect(windowSummary.best.map { fullSummary.flatSet.contains($0.nurseryBytes) } == true)
            // The tolerance: a round's paired ratio has about 6% noise here (two 4% samples), so a
            // 256-round median has a standard error near 0.5%; 2% is four of them.
            for (a, b) in zip(fullSummary.points, windowSummary.points) {
                #expect(a.nurseryBytes == b.nurseryBytes)
                #expect(abs(a.relativeTime / b.relativeTime - 1) < 0.02, "\(a.nurseryBytes)")
            }
        }
    }

    @Test("concurrent submissions of one machine all return with a summary at least as new as their own")
    func concurrentSubmissionsCoalesce() async throws {
        try await withPipeline { pipeline in
            let sweeps = Self.sweeps(24)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (k, submission) in sweeps.enumerated() {
                    group.addTask {
                        _ = try await pipeline.ingest(submission, receivedAt: Self.start.addingTimeInterval(Double(k)))
                    }
                }
                try await group.waitForAll()
            }
            let machineID = sweeps[0].machine.machineID
            #expect(try await pipeline.stores.curves.staleCurveWindows(machineID: nil, limit: 10).isEmpty)
            let curves = try await pipeline.stores.curves.machineCurves(machineID: machineID)
            #expect(curves.allSatisfy { $0.summary.submissionCount == 24 })
        }
    }
}

/// A pipeline over a store on a fresh temporary file.
func withPipeline(_ body: (Pipeline) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crowdspeed-pipeline-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteResultStore(path: directory.appendingPathComponent("test.sqlite").path)
    try await body(Pipeline(stores: StoreCapabilities(store)))
}
