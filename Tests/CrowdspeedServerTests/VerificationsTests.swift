import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST` and `GET /api/v1/verifications` through the router, on the real SQLite store.
@Suite("/api/v1/verifications")
struct VerificationsTests {
    static let id = UUID(uuidString: "6F1C2B3A-0000-4000-8000-00000000000A")!

    /// A verification of ``SweepFixture``'s machine with formula version 3's size.
    static func verification(id: UUID = id, seed: UInt64 = 7) -> Verification {
        Verification(
            id: id, createdAt: SweepFixture.createdAt, agent: AgentInfo(name: "crowdspeed-agent", version: "test"),
            machineID: SweepFixture.machine().machineID, pypyVersion: "7.3.11", procs: 1, nurseryBytes: 8 << 20,
            defaultNurseryBytes: 1 << 20, sizeSource: .init(kind: .formula, formulaVersion: 3, predictedGain: 0.06),
            seed: seed, rounds: 3, failedSamples: 0, roundGains: [0.04, 0.07, 0.05], gain: 0.05, gainLower: 0.04,
            gainUpper: 0.07, confidence: 0.95)
    }

    static func json(_ verification: Verification = verification()) throws -> Data {
        try WireCoding.makeEncoder().encode(verification)
    }

    /// The verifications the store holds.
    static func stored(_ store: any ResultStore) async throws -> [StoredVerification] {
        try await (store as! any VerificationStore).verifications(VerificationQuery())
    }

    @Test("a verification of a known machine is stored (201), listed with its realized gain, and replays are 200")
    func storesAndReplays() async throws {
        try await RouterHarness.run { client, store in
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .created)
            let response = try await client.postVerification(try Self.json())
            #expect(response.status == .created)
            let receipt = try response.decode(VerificationReceipt.self)
            #expect(receipt.id == Self.id && receipt.status == "created")
            #expect(receipt.machineID == SweepFixture.machine().machineID)
            #expect(try await Self.stored(store).map(\.verification) == [Self.verification()])

            // The same bytes, and the same value pretty-printed: duplicates, nothing stored twice.
            let replay = try await client.postVerification(try Self.json())
            #expect(replay.status == .ok)
            #expect(try replay.decode(VerificationReceipt.self).status == "duplicate")
            let pretty = try await client.postVerification(
                try WireCoding.makeEncoder(pretty: true).encode(Self.verification()))
            #expect(pretty.status == .ok)
            #expect(try await Self.stored(store).count == 1)

            let list = try await client.execute(uri: "/api/v1/verifications?formula_version=3", method: .get)
            #expect(list.status == .ok)
            let listed = try list.decode(ListBody.self)
            #expect(listed.verifications.map(\.verification) == [Self.verification()])
            #expect(listed.verifications.first?.receivedAt == SweepFixture.now)
            #expect(
                listed.realizedGains == [
                    RealizedGains(
                        formulaVersion: 3, verifications: 1, machines: 1, medianGain: 0.05, lowerQuartile: 0.05,
                        upperQuartile: 0.05, confirmed: 1, medianPredicted: 0.06)
                ])
            let other = try await client.execute(uri: "/api/v1/verifications?formula_version=4", method: .get)
            #expect(try other.decode(ListBody.self).verifications.isEmpty)
        }
    }

    /// The list's body as a client reads it.
    struct ListBody: Decodable {
        struct Entry: Decodable {
            var receivedAt: Date
            var verification: Verification
            enum CodingKeys: String, CodingKey {
                case receivedAt = "received_at"
                case verification
            }
        }
        var verifications: [Entry]
        var realizedGains: [RealizedGains]
        enum CodingKeys: String, CodingKey {
            case verifications
            case realizedGains = "realized_gains"
        }
    }

    @Test("the same id with different content is a 409 naming the id; the first copy stays")
    func conflict() async throws {
        try await RouterHarness.run { client, store in
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .created)
            #expect(try await client.postVerification(try Self.json()).status == .created)
            let response = try await client.postVerification(try Self.json(Self.verification(seed: 8)))
            #expect(response.status == .conflict)
            #expect(try response.problem().errors?.map(\.field) == ["id"])
            #expect(try await Self.stored(store).map(\.verification) == [Self.verification()])
        }
    }

    /// A body the endpoint must refuse, with the status and the field it must name.
    struct BadBody: Sendable, CustomStringConvertible {
        var description: String
        var body: Data
        var contentType: String = "application/json"
        var status: Int
        var field: String?
    }

    static func badBodies() throws -> [BadBody] {
        func changed(_ change: (inout Verification) -> Void) throws -> Data {
            var verification = Self.verification()
            change(&verification)
            return try Self.json(verification)
        }
        let valid = try Self.json()
        var object = try JSONSerialization.jsonObject(with: valid) as! [String: Any]
        object.removeValue(forKey: "round_gains")
        let missing = try JSONSerialization.data(withJSONObject: object)
        return [
            BadBody(description: "not JSON", body: Data("{".utf8), status: 400),
            BadBody(description: "text/plain", body: valid, contentType: "text/plain", status: 415),
            BadBody(description: "a missing field", body: missing, status: 400),
            BadBody(
                description: "an unknown source kind",
                body: Data(
                    String(decoding: valid, as: UTF8.self).replacingOccurrences(
                        of: "\"kind\":\"formula\"", with: "\"kind\":\"guess\""
                    ).utf8), status: 400),
            BadBody(description: "too large", body: Data(repeating: 0x20, count: 70_000) + valid, status: 413),
            BadBody(
                description: "gain not the median", body: try changed { $0.gain = 0.5 }, status: 422, field: "gain"),
            BadBody(description: "procs 0", body: try changed { $0.procs = 0 }, status: 422, field: "procs"),
            BadBody(
                description: "no round gains", body: try changed { $0.roundGains = [] }, status: 422,
                field: "round_gains"),
            BadBody(
                description: "more gains than rounds", body: try changed { $0.rounds = 2 }, status: 422,
                field: "round_gains"),
            BadBody(
                description: "a formula source without a version",
                body: try changed { $0.sizeSource.formulaVersion = nil }, status: 422,
                field: "size_source.formula_version"),
            BadBody(
                description: "half an interval", body: try changed { $0.gainUpper = nil }, status: 422,
                field: "gain_lower"),
            BadBody(
                description: "markup in the version", body: try changed { $0.pypyVersion = "<b>7</b>" }, status: 422,
                field: "pypy_version"),
            BadBody(
                description: "a malformed machine id", body: try changed { $0.machineID = "M-1" }, status: 422,
                field: "machine_id"),
            BadBody(
                description: "a machine the server has no data of",
                body: try changed { $0.machineID = "m-0123456789abcdef" }, status: 422, field: "machine_id"),
        ]
    }

    @Test("bad bodies are refused with a problem naming the field, and nothing is stored", arguments: try badBodies())
    func refusesBadBodies(_ input: BadBody) async throws {
        try await RouterHarness.run { client, store in
            #expect(try await client.postSubmission(try SweepFixture.json()).status == .created)
            let response = try await client.postVerification(input.body, contentType: input.contentType)
            #expect(Int(response.status.code) == input.status)
            let problem = try response.problem()
            if let field = input.field { #expect(problem.errors?.map(\.field).contains(field) == true, "\(problem)") }
            #expect(try await Self.stored(store).isEmpty)
        }
    }

    @Test(
        "bad list parameters are 400 problems",
        arguments: [
            "machine=M-1", "source=guess", "formula_version=0", "limit=0", "limit=1001", "color=red", "limit=1&limit=2",
        ])
    func refusesBadQueries(_ query: String) async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: "/api/v1/verifications?\(query)", method: .get)
            #expect(response.status == .badRequest)
            _ = try response.problem()
        }
    }
}

extension TestClientProtocol {
    /// `POST /api/v1/verifications` with a body and a content type.
    func postVerification(_ body: Data, contentType: String = "application/json") async throws -> TestResponse {
        var fields = HTTPFields()
        fields[.contentType] = contentType
        return try await execute(
            uri: "/api/v1/verifications", method: .post, headers: fields, body: ByteBuffer(bytes: body))
    }
}
