import CrowdspeedCore
import Foundation
import Testing

@Suite("Submission validation")
struct ValidationTests {
    let now = SubmissionFixture.now

    /// The issues found after `change` is applied to the valid fixture.
    func issues(_ change: (inout Submission) -> Void) -> [FieldIssue] {
        var submission = SubmissionFixture.make()
        change(&submission)
        return submission.validationIssues(now: now)
    }

    @Test("the fixture is valid")
    func valid() {
        #expect(issues { _ in }.isEmpty)
    }

    @Test("each rule names the field and says why")
    func rules() {
        let cases: [(String, (inout Submission) -> Void)] = [
            ("schema_version", { $0.schemaVersion = 2 }),
            ("created_at", { $0.createdAt = SubmissionFixture.now.addingTimeInterval(3 * 86_400) }),
            ("machine.cpu_model", { $0.machine.cpuModel = "<script>alert(1)</script>" }),
            ("machine.cpu_model", { $0.machine.cpuModel = String(repeating: "x", count: 201) }),
            ("machine.cpu_vendor", { $0.machine.cpuVendor = "" }),
            ("machine.os", { $0.machine.os = "Linux\u{0}" }),
            ("interpreter.version", { $0.interpreter.version = "<img src=x onerror=alert(1)>" }),
            ("machine.physical_cores", { $0.machine.physicalCores = 0 }),
            ("machine.logical_cpus", { $0.machine.logicalCPUs = 100_000 }),
            ("machine.memory_bytes", { $0.machine.memoryBytes = -1 }),
            ("machine.caches[2].size_bytes", { $0.machine.caches[2].sizeBytes = 1 << 50 }),
            ("machine.caches[0].shared_by", { $0.machine.caches[0].sharedBy = 0 }),
            ("machine.cpu_quota", { $0.machine.cpuQuota = .infinity }),
            ("results", { $0.results = [] }),
            ("results[0].unit", { $0.results[0].unit = "s" }),
            ("results[8].params.payload", { $0.results[8].params.payload = "a,library=x" }),
            ("results[0].benchmark", { $0.results[0].benchmark = "gc bench" }),
            ("results[0].params.procs", { $0.results[0].params.procs = nil }),
            ("results[1].params.nursery_bytes", { $0.results[1].params.nurseryBytes = 3 }),
            ("results[1]", { $0.results[1].params = $0.results[0].params }),
            ("results[0].samples", { $0.results[0].samples = [] }),
            ("results[0].samples[1].cpu_ms", { $0.results[0].samples[1].cpuMs = .nan }),
            ("results[0].samples[1].wall_ms", { $0.results[0].samples[1].wallMs = -5 }),
            ("results[0].samples[1].wall_ms", { $0.results[0].samples[1].wallMs = 1e12 }),
            ("results[0].samples[0].foreign_load", { $0.results[0].samples[0].foreignLoad = 1.5 }),
            ("results[0].samples[0].round", { $0.results[0].samples[0].round = 7 }),
            ("results[0].samples[0].max_rss_bytes", { $0.results[0].samples[0].maxRSSBytes = -1 }),
        ]
        for (field, change) in cases {
            let found = issues(change)
            #expect(
                found.contains { $0.field == field && !$0.reason.isEmpty },
                "expected an issue at \(field), got \(found)")
        }
    }

    @Test("too many samples are refused without listing each one")
    func sampleLimits() {
        var limits = SubmissionLimits()
        limits.maxSamplesPerResult = 2
        var submission = SubmissionFixture.make()
        submission.results[3].samples += submission.results[3].samples
        let found = submission.validationIssues(limits: limits, now: now)
        #expect(found.contains { $0.field == "results[0].samples" })
        limits.maxSamplesTotal = 10
        #expect(
            submission.validationIssues(limits: limits, now: now) == [
                FieldIssue(field: "results", reason: "hold 40 samples in all; at most 10")
            ])
    }

    @Test("the issue list is capped so a hostile body cannot make a huge error")
    func capped() {
        var submission = SubmissionFixture.make()
        submission.results[0].samples = Array(repeating: submission.results[0].samples[0], count: 100)
        for index in submission.results.indices {
            for sample in submission.results[index].samples.indices {
                submission.results[index].samples[sample].cpuMs = -1
            }
        }
        #expect(submission.validationIssues(now: now).count == 50)
    }
}

@Suite("Decoding errors name the field")
struct DecodingTests {
    func rejection(_ body: String) -> [FieldIssue] {
        do {
            _ = try Submission.decode(from: Data(body.utf8))
            return []
        } catch {
            return error.issues
        }
    }

    func rejection(editing edit: (inout [String: Any]) -> Void) throws -> [FieldIssue] {
        var object = try SubmissionFixture.object()
        edit(&object)
        return rejection(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    @Test("malformed JSON, NaN and Infinity literals")
    func malformed() {
        #expect(rejection("{") == [FieldIssue(field: "(body)", reason: "is not valid JSON")])
        #expect(rejection("") == [FieldIssue(field: "(body)", reason: "is not valid JSON")])
        #expect(rejection("[1,2]").first?.field == "(body)")
        let valid = String(decoding: try! SubmissionFixture.json(), as: UTF8.self)
        for literal in ["NaN", "Infinity", "-Infinity", "1e999"] {
            let body = valid.replacingOccurrences(of: "\"cpu_ms\":790.125", with: "\"cpu_ms\":\(literal)")
            #expect(body != valid)
            #expect(!rejection(body).isEmpty, "\(literal) must be refused")
        }
    }

    @Test("wrong types and missing fields give the path")
    func paths() throws {
        #expect(try rejection { $0["machine"] = ["arch": "x86_64"] }.first?.field == "machine.os")
        #expect(
            try rejection { $0["id"] = "not-a-uuid" }.first == FieldIssue(field: "id", reason: "is not a valid UUID"))
        #expect(
            try rejection { $0["created_at"] = "last tuesday" }.first
                == FieldIssue(field: "created_at", reason: "is not an RFC 3339 date-time"))
        #expect(try rejection { $0["source"] = "made-up" }.first?.field == "source")
        let typed = try rejection {
            var results = $0["results"] as! [[String: Any]]
            var samples = results[2]["samples"] as! [[String: Any]]
            samples[1]["cpu_ms"] = "fast"
            results[2]["samples"] = samples
            $0["results"] = results
        }
        #expect(
            typed == [
                FieldIssue(field: "results[2].samples[1].cpu_ms", reason: "has the wrong type; expected a number")
            ])
        #expect(try rejection { $0["schema_version"] = NSNull() }.first?.field == "schema_version")
    }
}
