import CrowdspeedCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The per-request context of every Crowdspeed route: Hummingbird's core storage plus the request
/// id that is echoed in `X-Request-ID`, written in every log line and reported with a 500.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``RequestIDMiddleware`` from the client's `X-Request-ID` or freshly made.
    public var requestID: String
    /// The largest body Hummingbird's own decoders will collect. Routes that read bodies
    /// themselves (ingest) pass the configured limit explicitly; this keeps any other decoding
    /// path at least as strict.
    public var maxUploadSize: Int
    /// The TCP peer, read once when the request arrives: the rate limits key on it. Nil when
    /// there is no real connection (router tests).
    public var remoteAddress: SocketAddress?

    /// Creates the context for one request; the request id starts as Hummingbird's own and is
    /// replaced by ``RequestIDMiddleware``.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = source.logger[metadataKey: "hb.request.id"]?.description ?? UUID().uuidString.lowercased()
        self.maxUploadSize = SubmissionLimits.standard.maxBodyBytes
        self.remoteAddress = source.channel.remoteAddress
    }
}
