import CrowdspeedCore
import Foundation
import Testing

@Suite("Wire format v1")
struct WireFormatTests {
    @Test("a submission survives encode → decode unchanged")
    func roundTrip() throws {
        let submission = SubmissionFixture.make()
        let decoded = try Submission.decode(from: SubmissionFixture.json(submission))
        #expect(decoded == submission)
    }

    @Test("field names on the wire are the snake_case names of DESIGN.md")
    func snakeCaseKeys() throws {
        let object = try SubmissionFixture.object()
        #expect(
            Set(object.keys) == [
                "schema_version", "id", "created_at", "agent", "source", "machine", "interpreter", "run", "results",
            ])
        let machine = try #require(object["machine"] as? [String: Any])
        for key in [
            "os_version", "cpu_vendor", "cpu_model", "physical_cores", "logical_cpus", "memory_bytes",
            "cpuinfo_cache_bytes",
        ] {
            #expect(machine[key] != nil, "missing \(key)")
        }
        let result = try #require((object["results"] as? [[String: Any]])?.first)
        let sample = try #require((result["samples"] as? [[String: Any]])?.first)
        #expect(Set(sample.keys) == ["wall_ms", "cpu_ms", "max_rss_bytes", "round", "foreign_load"])
        #expect(
            (result["params"] as? [String: Any])?["nursery_bytes"] == nil, "the default setting has no nursery_bytes")
    }

    @Test("dates are RFC 3339; with and without fractional seconds and offsets")
    func dates() throws {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.parse("2026-11-25T18:00:00Z") == Date(timeIntervalSince1970: 1_795_629_600))
        #expect(RFC3339.parse("2026-11-25T18:00:00.250Z") == Date(timeIntervalSince1970: 1_795_629_600.25))
        #expect(RFC3339.parse("2026-11-25T19:00:00+01:00") == Date(timeIntervalSince1970: 1_795_629_600))
        #expect(RFC3339.parse("yesterday") == nil)
        // Every millisecond survives parse → format (truncation would turn .002 into .001).
        for millisecond in 0..<1000 {
            let text = "2026-11-25T18:00:02.\(String(format: "%03d", millisecond))Z"
            #expect(RFC3339.parse(text).map(RFC3339.format) == text)
        }
        #expect(RFC3339.parse("2026-11-25") == nil)
    }

    @Test("machine id depends on hardware only, not on OS, kernel or small memory drift")
    func machineIdentity() {
        let machine = SubmissionFixture.make().machine
        var upgraded = machine
        upgraded.kernel = "6.12.0"
        upgraded.osVersion = "Debian 13"
        upgraded.memoryBytes += 50 << 20
        upgraded.caches.reverse()
        #expect(upgraded.machineID == machine.machineID)
        var other = machine
        other.caches[3].sizeBytes = 64 << 20
        #expect(other.machineID != machine.machineID)
        #expect(machine.machineID.hasPrefix("m-") && machine.machineID.count == 18)
    }
}
