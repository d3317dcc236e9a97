import CrowdspeedCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /data/crowdspeed-snapshot.sqlite` (the latest public snapshot, see ``SnapshotPublisher``)
/// and `GET /data/crowdspeed-snapshot.sqlite.sha256` (its checksum in `sha256sum` format).
///
/// The snapshot's SHA-256 is its ETag and its date the `Last-Modified`, so a mirror that polls
/// re-downloads only a new one. 404 (problem+json) until the first snapshot exists or when the
/// server publishes none.
struct SnapshotDownloadController: Sendable {
    /// nil when this server publishes no snapshot.
    let shelf: SnapshotShelf?
    let fileIO = FileIO()

    /// The download's path.
    static let path = "/data/" + PublishedSnapshot.fileName

    var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(RouterPath(Self.path), use: download)
        routes.get(RouterPath(Self.path + ".sha256"), use: checksum)
        return routes
    }

    /// The snapshot on offer, or a 404 saying why there is none.
    private func offered() throws -> (SnapshotShelf, PublishedSnapshot) {
        guard let shelf else {
            throw APIError.notFound("This server does not publish a snapshot; the exports on /data hold the same data")
        }
        guard let snapshot = shelf.snapshot else {
            throw APIError.notFound("The first snapshot is not made yet; try again later")
        }
        return (shelf, snapshot)
    }

    /// Headers every answer about `snapshot` carries.
    private func headers(for snapshot: PublishedSnapshot) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(snapshot.sha256)\""
        headers[.lastModified] = Self.httpDate(snapshot.createdAt)
        headers[.cacheControl] = "no-cache"
        return headers
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (shelf, snapshot) = try offered()
        var headers = headers(for: snapshot)
        if let presented = request.headers[.ifNoneMatch],
            ExportController.matches(presented, etag: "\"\(snapshot.sha256)\"")
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/vnd.sqlite3"
        headers[.contentDisposition] = "attachment; filename=\"\(snapshot.downloadName)\""
        // Streamed from the file; a newer snapshot renamed over it meanwhile does not disturb a
        // download already open on the old one.
        let body = try await fileIO.loadFile(path: shelf.filePath, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    @Sendable func checksum(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, snapshot) = try offered()
        var headers = headers(for: snapshot)
        let text = "\(snapshot.sha256)  \(snapshot.downloadName)\n"
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.contentLength] = String(text.utf8.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as `Last-Modified` takes it.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
