import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/v1/export`: the public data as streamed files — every visible sample as CSV or JSON
/// Lines, and every machine curve summary as CSV.
///
/// The body is written page by page while the store is read (``Exporter``), so the server's
/// memory stays bounded whatever the database holds and the first bytes go out after the first
/// page. Each answer carries a dated `Content-Disposition` file name and an ETag built from the
/// store's export revision, the filters and the file; a client that presents it in
/// `If-None-Match` gets 304 without the data being read again.
public struct ExportController: Sendable {
    let store: any ExportStore
    let exporter: Exporter
    /// The clock that dates the file names.
    let now: @Sendable () -> Date

    /// The path the exports are mounted at.
    public static let basePath = "/api/v1/export"

    /// The query parameters every export takes.
    static let filterNames: Set<String> = ["since", "implementation", "version", "arch", "cpu_vendor", "machine"]

    /// Creates the controller over `store`; `pageSize` is the exporter's page (tests shrink it to
    /// exercise many pages).
    public init(store: any ExportStore, pageSize: Int = 500, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.exporter = Exporter(store: store, pageSize: pageSize)
        self.now = now
    }

    /// The routes, relative to ``basePath``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("samples.csv") { request, context in
            try await export(request, file: "samples", format: .csv)
        }
        routes.get("samples.jsonl") { request, context in
            try await export(request, file: "samples", format: .jsonl)
        }
        routes.get("curves.csv") { request, context in
            try await export(request, file: "curves", format: .csv)
        }
        return routes
    }

    /// One export: validates the filters, answers 304 when the client's copy is current, and
    /// otherwise streams the rows.
    func export(_ request: Request, file: String, format: Exporter.Format) async throws -> Response {
        let filter = try Self.filter(request.uri.queryParameters)
        let revision = try await store.exportRevision()
        let etag = Self.etag(revision: revision, file: file, format: format, query: filter)
        var headers = HTTPFields()
        headers[.eTag] = etag
        headers[.cacheControl] = "no-cache"
        if let presented = request.headers[.ifNoneMatch], Self.matches(presented, etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        let date = Self.day(now())
        headers[.contentType] =
            format == .csv ? "text/csv; charset=utf-8; header=present" : "application/jsonl; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"crowdspeed-\(file)-\(date).\(format.rawValue)\""
        let exporter = self.exporter
        let body = ResponseBody { writer in
            // Each page is written (and its memory released) before the next is read; the
            // writer's back-pressure keeps a slow client from making the server buffer.
            if file == "samples" {
                try await exporter.samples(filter: filter, format: format) {
                    try await writer.write(ByteBuffer(string: $0))
                }
            } else {
                try await exporter.curves(filter: filter, format: format) {
                    try await writer.write(ByteBuffer(string: $0))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The filters from the query, each refused with a 400 naming it when unusable.
    static func filter(_ parameters: Parameters) throws -> ExportFilter {
        let query = QueryReader(parameters: parameters)
        try query.check(allowed: filterNames)
        var filter = ExportFilter()
        if let text = query.string("since") {
            guard let date = RFC3339.parse(text) else {
                throw APIError.badParameter("since", "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z")
            }
            filter.since = date
        }
        filter.implementation = try query.identifier("implementation")
        filter.version = try query.identifier("version")
        filter.arch = try query.identifier("arch")
        filter.cpuVendor = try query.identifier("cpu_vendor")
        filter.machine = try query.identifier("machine")
        return filter
    }

    /// A strong ETag over everything the body depends on: the data's revision, the file and
    /// format, and the filters.
    static func etag(revision: String, file: String, format: Exporter.Format, query filter: ExportFilter) -> String {
        let parts = [
            revision, file, format.rawValue, filter.since.map(RFC3339.format) ?? "", filter.implementation ?? "",
            filter.version ?? "", filter.arch ?? "", filter.cpuVendor ?? "", filter.machine ?? "",
        ]
        // Not a secret and not adversarial: the project's one non-cryptographic hash will do.
        var hash = FNV1a()
        hash.add(contentsOf: parts.joined(separator: "\u{1F}").utf8)
        return "\"" + hash.hex + "\""
    }

    /// Whether an `If-None-Match` value names `etag` (or is `*`); weak tags compare by their
    /// opaque part, as RFC 9110 asks for this header.
    static func matches(_ header: String, etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// `YYYY-MM-DD` in UTC, for file names.
    static func day(_ date: Date) -> String {
        String(RFC3339.format(date).prefix(10))
    }
}
