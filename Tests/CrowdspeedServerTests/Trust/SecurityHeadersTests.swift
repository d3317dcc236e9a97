import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The browser security headers are on every response: success, problem, 404, 405, HEAD.
@Suite("Security headers")
struct SecurityHeadersTests {
    @Test(
        "CSP, nosniff, Referrer-Policy and X-Frame-Options on every kind of response",
        arguments: [
            ("/healthz", HTTPRequest.Method.get, 200),
            ("/openapi.json", .get, 200),
            ("/api/v1/machines", .head, 200),
            ("/api/v1/machines?limit=zero", .get, 400),
            ("/api/v1/nowhere", .get, 404),
            ("/api/v1/machines", .post, 405),
            ("/api/v1/submissions", .post, 415),
        ])
    func everyResponse(_ path: String, _ method: HTTPRequest.Method, _ status: Int) async throws {
        try await RouterHarness.run { client, _ in
            let response = try await client.execute(uri: path, method: method)
            #expect(Int(response.status.code) == status)
            let csp = response.headers[HTTPField.Name("Content-Security-Policy")!]
            #expect(
                csp
                    == "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
            )
            #expect(csp?.contains("unsafe-inline") == false)
            #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        }
    }
}
