import CrowdspeedStore
import HTTPTypes
import Hummingbird

/// Bounds what one client can write: per-address and per-install token buckets on every
/// request that changes data (POST, PUT, PATCH, DELETE), answered with 429 and `Retry-After`
/// when exhausted. Reads are not limited: they cost the server little and pages need many.
///
/// The address is the TCP peer's. Behind a reverse proxy every peer is the proxy, so the operator
/// can opt in to trusting `X-Forwarded-For`: its **last** entry is then the address, the one
/// the (single, trusted) proxy appended — earlier entries are whatever the client wrote. Never
/// enable it when clients can reach the server directly: they could then choose their own key.
///
/// The install key is the `X-Crowdspeed-Install` token (hashed; only well-formed tokens count).
/// A client can drop or change that header, which is why the address limit always applies too.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// The install header, shared with the ingest route.
    public static let installHeader = HTTPField.Name("X-Crowdspeed-Install")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    private static let limitedMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    let perAddress: RateLimiter?
    let perInstall: RateLimiter?
    let trustForwardedFor: Bool
    /// Where refusals are counted, by scope.
    let metrics: ServerMetrics

    /// Creates the middleware; a nil limiter disables that limit.
    public init(
        perAddress: RateLimiter?, perInstall: RateLimiter?, trustForwardedFor: Bool, metrics: ServerMetrics = .disabled
    ) {
        self.perAddress = perAddress
        self.perInstall = perInstall
        self.trustForwardedFor = trustForwardedFor
        self.metrics = metrics
    }

    /// Takes a token from each applicable bucket, or throws 429.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard Self.limitedMethods.contains(request.method) else { return try await next(request, context) }
        if let perAddress, case .limited(let seconds) = perAddress.acquire(addressKey(request, context: context)) {
            metrics.rateLimited(scope: "address")
            throw APIError.tooManyRequests(retryAfterSeconds: seconds, scope: "address")
        }
        if let perInstall, let token = request.headers[Self.installHeader], SecretToken.isWellFormed(token),
            case .limited(let seconds) = perInstall.acquire("install:" + SecretToken.digest(token))
        {
            metrics.rateLimited(scope: "install")
            throw APIError.tooManyRequests(retryAfterSeconds: seconds, scope: "install")
        }
        return try await next(request, context)
    }

    /// The client's address key (``ClientAddress/of(_:context:trustForwardedFor:)``); requests
    /// whose address is unknown share one bucket.
    func addressKey(_ request: Request, context: Context) -> String {
        ClientAddress.of(request, context: context, trustForwardedFor: trustForwardedFor).flatMap(ClientAddress.key)
            ?? "unknown"
    }
}
