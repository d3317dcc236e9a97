import CrowdspeedPipeline
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Router-level page tests over a real SQLite store on a temporary file, in demo mode (the
/// fixture's data are synthetic) unless `configure` says otherwise.
enum PageHarness {
    static func run(
        configure: (inout Configuration) -> Void = { _ in },
        _ test: @Sendable (any TestClientProtocol, SQLiteResultStore) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "crowdspeed-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pages.sqlite").path
        let store = try SQLiteResultStore(path: path)
        var configuration = Configuration(port: 0, databasePath: path, logLevel: .warning, demo: true)
        configure(&configuration)
        let router = buildRouter(
            pipeline: Pipeline(stores: StoreCapabilities(store), limits: configuration.limits),
            configuration: configuration, now: { SweepFixture.now })
        var logger = Logger(label: "crowdspeed.test")
        logger.logLevel = .warning
        try await Application(router: router, logger: logger).test(.router) { client in
            try await test(client, store)
        }
    }
}

/// Assertions shared by the page tests.
enum PageChecks {
    /// The HTML escape of `text`, as the templates write it.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// No inline script, inline style or inline event handler: the pages must run under
    /// `script-src 'self'` and `style-src 'self'`.
    static func expectNoInlineCode(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.contains(" style="), sourceLocation: sourceLocation)
        #expect(!html.contains("<style"), sourceLocation: sourceLocation)
        // Event handlers inside tags (escaped text has no raw `<`, so every `<…>` here is a tag).
        var tags = html[...]
        while let tag = tags.range(of: #"<[a-zA-Z][^>]*>"#, options: .regularExpression) {
            // Quoted attribute values are data (their quotes are escaped inside), so drop them first.
            let bare = tags[tag].replacingOccurrences(of: #""[^"]*""#, with: "\"\"", options: .regularExpression)
            #expect(
                bare.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "handler in \(tags[tag])",
                sourceLocation: sourceLocation)
            tags = tags[tag.upperBound...]
        }
        var rest = html[...]
        while let open = rest.range(of: "<script") {
            let tagEnd = rest[open.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[open.upperBound..<tagEnd]
            #expect(
                tag.contains("src=") || tag.contains(#"type="application/json""#), "inline script: <script\(tag)>",
                sourceLocation: sourceLocation)
            rest = rest[tagEnd...]
        }
    }
}

extension TestClientProtocol {
    /// `GET path`.
    func get(_ path: String) async throws -> TestResponse {
        try await execute(uri: path, method: .get)
    }
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String { String(buffer: body) }
}
