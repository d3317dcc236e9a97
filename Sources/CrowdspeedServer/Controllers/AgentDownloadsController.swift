import CrowdspeedCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /downloads/agent/{name}` (a self-contained agent build made by `scripts/build-agent`,
/// e.g. `crowdspeed-agent-linux-x86_64`), `GET /downloads/agent/{name}.sha256` (its checksum
/// file) and `GET /install.sh` (the installer for this server).
///
/// Builds are read from the configured directory at request time, so a build added or replaced
/// while the server runs is offered at once (`scripts/build-agent` renames a build into place
/// only when it is whole). Only names of the build form are ever looked up: no request path
/// becomes a file path otherwise.
public struct AgentDownloadsController: Sendable {
    /// The directory of builds; nil when the server offers none.
    let directory: String?
    /// The URL agents should use, when configured; otherwise taken from the request's Host.
    let publicURL: String?
    let fileIO = FileIO()

    /// The download path of builds.
    public static let basePath = "/downloads/agent"

    /// Creates the controller.
    public init(directory: String?, publicURL: String?) {
        self.directory = directory
        self.publicURL = publicURL
    }

    /// The routes: `/downloads/agent/{name}` and `/install.sh`.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get("downloads/agent/:name", use: download)
        routes.get("install.sh", use: installer)
        return routes
    }

    /// True for `crowdspeed-agent-OS-ARCH` (lowercase letters, digits, `_`), optionally with
    /// `.sha256`.
    static func isBuildName(_ name: String) -> Bool {
        let base = name.hasSuffix(".sha256") ? String(name.dropLast(".sha256".count)) : name
        let prefix = "crowdspeed-agent-"
        guard base.hasPrefix(prefix), base.count <= 80 else { return false }
        let parts = base.dropFirst(prefix.count).split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2
            && parts.allSatisfy { part in
                !part.isEmpty && part.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
            }
    }

    /// The builds on offer (names with their checksum file beside them), sorted.
    func available() -> [String] {
        guard let directory,
            let names = try? FileManager.default.contentsOfDirectory(atPath: directory)
        else { return [] }
        let present = Set(names)
        return names.filter { Self.isBuildName($0) && !$0.hasSuffix(".sha256") && present.contains($0 + ".sha256") }
            .sorted()
    }

    /// One build or checksum file.
    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        let base = name.hasSuffix(".sha256") ? String(name.dropLast(".sha256".count)) : name
        guard Self.isBuildName(name), let directory, available().contains(base) else {
            throw APIError.notFound(
                "No agent build named \(Self.isBuildName(name) ? name : "like that") on this server; see /install.sh")
        }
        let path = directory + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw APIError.notFound("No agent build named \(name) on this server")
        }
        var headers = HTTPFields()
        headers[.contentType] = name.hasSuffix(".sha256") ? "text/plain; charset=utf-8" : "application/octet-stream"
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        // A build is replaced in place by the next `scripts/build-agent`: always revalidate.
        headers[.cacheControl] = "no-cache"
        // Streamed from disk; the body's length becomes the Content-Length.
        let body = try await fileIO.loadFile(path: path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The installer, with this server's URL and its builds written in.
    @Sendable func installer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let server = publicURL ?? SubmitPageController.origin(host: request.head.authority)
        let script = InstallScript.render(server: server, builds: available())
        var headers = HTTPFields()
        headers[.contentType] = "text/x-shellscript; charset=utf-8"
        headers[.contentLength] = String(script.utf8.count)
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: script)))
    }
}
