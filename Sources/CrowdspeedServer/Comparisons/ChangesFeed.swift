import CrowdspeedCore
import CrowdspeedFit
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /changes.atom`: the changes as an Atom feed (RFC 4287), one entry per version compared
/// with its predecessor, newest first, each linking to its comparison page.
struct ChangesFeedController: Sendable {
    let center: SpeedCenter
    /// The configured public URL, so links are absolute; relative to the feed otherwise.
    let publicURL: String?

    /// The route, at the root.
    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("changes.atom", use: feed)
        return routes
    }

    @Sendable func feed(_ request: Request, context: AppRequestContext) async throws -> Response {
        try QueryReader(parameters: request.uri.queryParameters).check(allowed: [])
        let snapshot = try await center.current()
        let body = Data(ChangesFeed.render(snapshot, base: publicURL).utf8)
        return CachedAnswer.respond(
            request, etag: CachedAnswer.etag(version: Int(snapshot.revision), ["changes.atom"]),
            contentType: "application/atom+xml; charset=utf-8", body: body)
    }
}

/// The Atom document of the changes.
enum ChangesFeed {
    /// Renders the feed. The feed's `updated` is the newest entry's (the epoch when there is none).
    static func render(_ snapshot: SpeedCenter.Snapshot, base: String?) -> String {
        let root = (base ?? "").hasSuffix("/") ? String((base ?? "").dropLast()) : (base ?? "")
        let newest = snapshot.changes.map(snapshot.updated).max() ?? Date(timeIntervalSince1970: 0)
        var xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
            <id>tag:crowdspeed,2026:changes</id>
            <title>Crowdspeed: changes between interpreter versions</title>
            <updated>\(RFC3339.format(newest))</updated>
            <author><name>Crowdspeed</name></author>
            <link rel="self" href="\(escape(root + "/changes.atom"))"/>
            <link rel="alternate" type="text/html" href="\(escape(root + "/changes"))"/>

            """
        for comparison in snapshot.changes {
            let regressions = comparison.rows.filter { $0.verdict == .regression }
            let improvements = comparison.rows.filter { $0.verdict == .improvement }
            let title =
                "\(comparison.implementation) \(comparison.to) against \(comparison.from): "
                + "\(regressions.count) regression\(regressions.count == 1 ? "" : "s"), "
                + "\(improvements.count) improvement\(improvements.count == 1 ? "" : "s")"
            let lines = (regressions + improvements).map { row in
                "\(row.verdict.rawValue): \(ComparisonRowView.describe(row)), ratio \(Format.ratio(row.ratio)) "
                    + "[\(Format.ratio(row.lower)), \(Format.ratio(row.upper))] on \(row.machines) machines"
            }
            let summary = lines.isEmpty ? "No change beyond the threshold." : lines.joined(separator: "\n")
            let id = [comparison.implementation, comparison.from, comparison.to].map(QueryEncoding.encode)
                .joined(separator: "/")
            xml += """
                <entry>
                <id>tag:crowdspeed,2026:changes/\(escape(id))</id>
                <title>\(escape(title))</title>
                <updated>\(RFC3339.format(snapshot.updated(comparison)))</updated>
                <link rel="alternate" type="text/html" href="\(escape(root + ChangesDocument.link(comparison, api: false)))"/>
                <link rel="related" type="application/json" href="\(escape(root + ChangesDocument.link(comparison, api: true)))"/>
                <summary type="text">\(escape(summary))</summary>
                </entry>

                """
        }
        return xml + "</feed>\n"
    }

    /// Text and attribute values escaped for XML.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
