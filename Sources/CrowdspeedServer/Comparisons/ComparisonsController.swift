import CrowdspeedCore
import CrowdspeedFit
import Foundation
import Hummingbird

/// The speed center's API: `GET /api/v1/comparisons/versions`, `…/implementations`, `…/nursery`
/// and `GET /api/v1/changes`. Answers carry an `ETag` of the figures' revision.
struct ComparisonsController: Sendable {
    let center: SpeedCenter

    /// The routes, at the root.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("api/v1/comparisons/versions", use: versions)
        routes.get("api/v1/comparisons/implementations", use: implementations)
        routes.get("api/v1/comparisons/nursery", use: nursery)
        routes.get("api/v1/changes", use: changes)
        return routes
    }

    /// Two versions of one implementation; without `from` and `to`, the two newest with enough
    /// shared machines. 400 for bad parameters, 404 for an unknown implementation or version.
    @Sendable func versions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let snapshot = try await center.current()
        let query = try VersionQuery(request.uri.queryParameters, snapshot: snapshot)
        let comparison = await center.comparison(
            snapshot, implementation: query.implementation, from: query.from, to: query.to)
        return try answer(
            request, comparison, revision: snapshot.revision,
            parts: ["versions", query.implementation, query.from, query.to])
    }

    /// How the best nursery moved between two PyPy versions, on the machines with a curve in
    /// both; the parameters are those of ``versions(_:context:)``, for PyPy only.
    @Sendable func nursery(_ request: Request, context: AppRequestContext) async throws -> Response {
        let snapshot = try await center.current()
        let query = try VersionQuery(request.uri.queryParameters, snapshot: snapshot)
        guard query.implementation.lowercased() == "pypy" else {
            throw APIError.badParameter("implementation", "must be PyPy: only PyPy has a nursery")
        }
        let drift = await center.drift(snapshot, from: query.from, to: query.to)
        return try answer(request, drift, revision: snapshot.revision, parts: ["nursery", query.from, query.to])
    }

    /// Newest PyPy against newest CPython, paired per machine (speedup = 1 / ratio).
    @Sendable func implementations(_ request: Request, context: AppRequestContext) async throws -> Response {
        try QueryReader(parameters: request.uri.queryParameters).check(allowed: [])
        let snapshot = try await center.current()
        return try answer(request, snapshot.speedups, revision: snapshot.revision, parts: ["implementations"])
    }

    /// Each version against the previous one, newest first, with its regressions and improvements.
    @Sendable func changes(_ request: Request, context: AppRequestContext) async throws -> Response {
        try QueryReader(parameters: request.uri.queryParameters).check(allowed: [])
        let snapshot = try await center.current()
        return try answer(request, ChangesDocument(snapshot), revision: snapshot.revision, parts: ["changes"])
    }

    private func answer(_ request: Request, _ value: some Encodable, revision: Int64, parts: [String]) throws
        -> Response
    {
        CachedAnswer.respond(
            request, etag: CachedAnswer.etag(version: Int(revision), parts),
            contentType: "application/json; charset=utf-8",
            body: try CachedAnswer.json(value), cacheControl: "public, max-age=60")
    }
}

/// The parameters of a version comparison, checked against the data: shared by the API and the
/// versions page.
struct VersionQuery: Sendable, Equatable {
    var implementation: String
    var from: String
    var to: String

    init(implementation: String, from: String, to: String) {
        self.implementation = implementation
        self.from = from
        self.to = to
    }

    /// Reads `implementation` (default PyPy), `from` and `to` (both or neither).
    ///
    /// - Throws: ``APIError/badParameter(_:_:)`` for unknown or repeated parameters, malformed
    ///   values, one of from/to without the other, or from = to; ``APIError/notFound(_:)`` for an
    ///   implementation or version without data, or when no two versions have enough data.
    init(_ parameters: Parameters, snapshot: SpeedCenter.Snapshot) throws {
        let reader = QueryReader(parameters: parameters)
        try reader.check(allowed: ["implementation", "from", "to"])
        let asked = try reader.identifier("implementation") ?? "PyPy"
        let from = try reader.identifier("from")
        let to = try reader.identifier("to")
        guard let known = snapshot.versions(of: asked) else {
            throw APIError.notFound("No data for implementation \(asked)")
        }
        implementation = known.implementation
        switch (from, to) {
        case (let from?, let to?):
            guard from != to else { throw APIError.badParameter("to", "must differ from from") }
            for (name, version) in [("from", from), ("to", to)] where !known.versions.contains(version) {
                throw APIError.notFound("No data for \(known.implementation) \(version) (\(name))")
            }
            (self.from, self.to) = (from, to)
        case (nil, nil):
            guard
                let newest = snapshot.changes.first(where: { $0.implementation == known.implementation })
            else {
                throw APIError.notFound("No two versions of \(known.implementation) share enough machines yet")
            }
            (self.from, self.to) = (newest.from, newest.to)
        case (nil, _):
            throw APIError.badParameter("from", "is required with to")
        case (_, nil):
            throw APIError.badParameter("to", "is required with from")
        }
    }
}

/// `GET /api/v1/changes`: per consecutive pair of versions, newest first, the rows that changed.
struct ChangesDocument: Encodable, Sendable {
    struct Change: Encodable, Sendable {
        var implementation: String
        var from: String
        var to: String
        /// Most machines any row rests on.
        var machines: Int
        var updated: Date
        var regressions: [ComparisonRow]
        var improvements: [ComparisonRow]
        /// The full comparison.
        var comparison: String
    }
    var changes: [Change]
    var method: String

    init(_ snapshot: SpeedCenter.Snapshot) {
        changes = snapshot.changes.map { comparison in
            Change(
                implementation: comparison.implementation, from: comparison.from, to: comparison.to,
                machines: comparison.rows.map(\.machines).max() ?? 0, updated: snapshot.updated(comparison),
                regressions: comparison.rows.filter { $0.verdict == .regression },
                improvements: comparison.rows.filter { $0.verdict == .improvement },
                comparison: ChangesDocument.link(comparison, api: true))
        }
        method =
            snapshot.changes.first?.method ?? PairedComparator.method(settings: ComparisonSettings(), testedRows: 0)
    }

    /// The API resource (`api`) or the page of one comparison.
    static func link(_ comparison: VersionComparison, api: Bool) -> String {
        let query = [("implementation", comparison.implementation), ("from", comparison.from), ("to", comparison.to)]
            .map { "\($0.0)=\(QueryEncoding.encode($0.1))" }.joined(separator: "&")
        return (api ? "/api/v1/comparisons/versions?" : "/versions?") + query
    }
}
