import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /openapi.json` lists exactly the router's routes. The router also holds the 405
/// answers registered for unsupported methods; those are recognised by answering 405.
@Suite("OpenAPI document")
struct OpenAPITests {
    /// The document's operations as `METHOD /path/{param}`.
    static func documentedOperations() throws -> Set<String> {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: OpenAPIController.documentURL)) as! [String: Any]
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = document["paths"] as! [String: [String: Any]]
        var operations = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "post", "put", "patch", "delete", "head", "options"].contains(method)
            {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test("every route is documented, every documented operation is a route, and the document is served")
    func routesMatchDocument() async throws {
        let documented = try Self.documentedOperations()
        let directory = try TemporaryDirectory()
        let path = directory.path("openapi.sqlite")
        let store = try SQLiteResultStore(path: path)
        var configuration = Configuration(databasePath: path)
        // Many probes from one (absent) peer: rate limits would answer 429 instead of 405.
        configuration.addressRateLimit = nil
        let router = buildRouter(
            pipeline: Pipeline(stores: StoreCapabilities(store), limits: configuration.limits),
            configuration: configuration)
        let routes = router.routes.map { (method: $0.method, path: $0.path.description) }
        let app = Application(router: router)
        try await app.test(.router) { client in
            var undocumented: [String] = []
            for route in routes where !documented.contains("\(route.method.rawValue) \(route.path)") {
                // Substitute a harmless value for each `{parameter}`; a 405 answer does not depend on it.
                let uri = route.path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x", options: .regularExpression)
                let response = try await client.execute(uri: uri, method: route.method)
                if response.status != .methodNotAllowed {
                    undocumented.append("\(route.method.rawValue) \(route.path)")
                }
            }
            #expect(undocumented.isEmpty, "routes missing from Web/static/openapi.json: \(undocumented)")
            let registered = Set(routes.map { "\($0.method.rawValue) \($0.path)" })
            let phantom = documented.subtracting(registered)
            #expect(phantom.isEmpty, "documented operations with no route: \(phantom.sorted())")

            let served = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(served.status == .ok)
            #expect(served.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(Data(served.body.readableBytesView) == (try Data(contentsOf: OpenAPIController.documentURL)))
        }
    }

    @Test("every API error response is documented as application/problem+json")
    func errorsAreProblems() throws {
        let document =
            try JSONSerialization.jsonObject(with: Data(contentsOf: OpenAPIController.documentURL)) as! [String: Any]
        let paths = document["paths"] as! [String: [String: [String: Any]]]
        for (path, item) in paths where path.hasPrefix("/api/") || path == "/healthz" {
            for (method, operation) in item {
                let responses = operation["responses"] as! [String: [String: Any]]
                // An operation with `format=env` answers errors in that format as a text/plain comment.
                let parameters = operation["parameters"] as? [[String: Any]] ?? []
                let hasEnvironmentFormat = parameters.contains { parameter in
                    parameter["name"] as? String == "format"
                        && ((parameter["schema"] as? [String: Any])?["enum"] as? [String])?.contains("env") == true
                }
                let expected = Set([ProblemDetails.mediaType] + (hasEnvironmentFormat ? ["text/plain"] : []))
                for (status, response) in responses where (Int(status) ?? 0) >= 400 {
                    let content = response["content"] as? [String: Any]
                    #expect(content.map { Set($0.keys) } == expected, "\(method) \(path) \(status)")
                }
            }
        }
    }
}
