import CrowdspeedCore
import Foundation
import Testing

/// One class of bad submission the server must refuse without storing anything: the body sent,
/// the status expected, and the field the problem must name.
public struct BadInput: Sendable, CustomTestStringConvertible {
    public var name: String
    public var body: Data
    public var contentType: String? = "application/json"
    public var status: Int
    /// The field path the problem's `errors` must contain.
    public var field: String
    /// A fragment the reason for `field` must contain.
    public var reason: String

    public var testDescription: String { name }

    /// Every class of bad input from DESIGN.md "Errors and bad input" that a body can carry
    /// (size, duplicates and query parameters have their own tests). All variants keep the
    /// fixture's id, so "nothing stored" is checked by reading that id back.
    public static func all() throws -> [BadInput] {
        let valid = try SweepFixture.json()
        let text = String(decoding: valid, as: UTF8.self)
        func mutate(_ change: (inout [String: Any]) -> Void) throws -> Data {
            var object = try SweepFixture.object()
            change(&object)
            return try SweepFixture.bytes(object)
        }
        func mutateFirstSample(_ change: (inout [String: Any]) -> Void) throws -> Data {
            try mutate { object in
                var results = object["results"] as! [[String: Any]]
                var samples = results[0]["samples"] as! [[String: Any]]
                change(&samples[0])
                results[0]["samples"] = samples
                object["results"] = results
            }
        }
        func mutateMachine(_ change: (inout [String: Any]) -> Void) throws -> Data {
            try mutate { object in
                var machine = object["machine"] as! [String: Any]
                change(&machine)
                object["machine"] = machine
            }
        }
        // Replace the first sample's cpu_ms literal in the text, for values JSONSerialization
        // refuses to write.
        func withFirstCPU(_ literal: String) -> Data {
            let range = text.range(of: #""cpu_ms":[0-9.]+"#, options: .regularExpression)!
            return Data(text.replacingCharacters(in: range, with: "\"cpu_ms\":\(literal)").utf8)
        }
        var tooManySamples = SweepFixture.make()
        tooManySamples.results[0].samples = Array(
            repeating: tooManySamples.results[0].samples[0], count: SubmissionLimits.standard.maxSamplesPerResult + 1)

        return [
            BadInput(
                name: "truncated JSON", body: valid.prefix(valid.count / 2), status: 400, field: "(body)",
                reason: "not valid JSON"),
            BadInput(
                name: "not JSON at all", body: Data("<html>hello</html>".utf8), status: 400, field: "(body)",
                reason: "not valid JSON"),
            BadInput(
                name: "wrong type", body: try mutateMachine { $0["physical_cores"] = "two" }, status: 400,
                field: "machine.physical_cores", reason: "wrong type"),
            BadInput(
                name: "missing field", body: try mutate { $0["machine"] = nil }, status: 400, field: "machine",
                reason: "required"),
            BadInput(
                name: "null field", body: try mutateFirstSample { $0["wall_ms"] = NSNull() }, status: 400,
                field: "results[0].samples[0].wall_ms", reason: "null"),
            BadInput(
                name: "bad UUID", body: try mutate { $0["id"] = "not-a-uuid" }, status: 400, field: "id", reason: "UUID"
            ),
            BadInput(
                name: "bad date", body: try mutate { $0["created_at"] = "yesterday" }, status: 400, field: "created_at",
                reason: "RFC 3339"),
            BadInput(
                name: "unknown enum value", body: try mutate { $0["source"] = "robot" }, status: 400, field: "source",
                reason: "not allowed"),
            BadInput(name: "NaN", body: withFirstCPU("NaN"), status: 400, field: "(body)", reason: "not valid JSON"),
            BadInput(
                name: "Infinity", body: withFirstCPU("Infinity"), status: 400, field: "(body)", reason: "not valid JSON"
            ),
            // Foundation's parser refuses these before decoding starts, so no field path is known.
            BadInput(
                name: "number overflowing a double", body: withFirstCPU("1e999"), status: 400,
                field: "(body)", reason: "not valid JSON"),
            BadInput(
                name: "negative timing", body: try mutateFirstSample { $0["cpu_ms"] = -5.0 }, status: 422,
                field: "results[0].samples[0].cpu_ms", reason: "must be within"),
            BadInput(
                name: "absurd memory", body: try mutateMachine { $0["memory_bytes"] = 12 }, status: 422,
                field: "machine.memory_bytes", reason: "must be within"),
            BadInput(
                name: "foreign load above 1", body: try mutateFirstSample { $0["foreign_load"] = 3.5 }, status: 422,
                field: "results[0].samples[0].foreign_load", reason: "must be within"),
            BadInput(
                name: "unknown schema version", body: try mutate { $0["schema_version"] = 2 }, status: 422,
                field: "schema_version", reason: "unsupported schema version"),
            BadInput(
                name: "HTML in a string", body: try mutateMachine { $0["cpu_model"] = "<script>alert(1)</script>" },
                status: 422,
                field: "machine.cpu_model", reason: "markup"),
            BadInput(
                name: "control characters in a string",
                body: try mutate { $0["agent"] = ["name": "agent\u{7}", "version": "1"] },
                status: 422, field: "agent.name", reason: "control"),
            BadInput(
                name: "date in the far future", body: try mutate { $0["created_at"] = "2099-01-01T00:00:00Z" },
                status: 422,
                field: "created_at", reason: "future"),
            BadInput(
                name: "no results", body: try mutate { $0["results"] = [] as [Any] }, status: 422, field: "results",
                reason: "empty"),
            BadInput(
                name: "too many samples", body: try SweepFixture.json(tooManySamples), status: 422,
                field: "results[0].samples", reason: "at most"),
            BadInput(
                name: "wrong content type", body: valid, contentType: "text/plain", status: 415, field: "Content-Type",
                reason: "application/json"),
            BadInput(
                name: "no content type", body: valid, contentType: nil, status: 415, field: "Content-Type",
                reason: "application/json"),
            BadInput(
                name: "JSON in another charset", body: valid, contentType: "application/json; charset=utf-16",
                status: 415,
                field: "Content-Type", reason: "application/json"),
        ]
    }
}
