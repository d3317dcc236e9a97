import CrowdspeedCore
import CrowdspeedServer
import CrowdspeedStore
import CrowdspeedTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let seconds = Mutex<Double>(1_000)
    func now() -> Double { seconds.withLock { $0 } }
    func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
}

/// Token buckets per address and per install: deterministic with a manual clock.
@Suite("Rate limits")
struct RateLimitTests {
    @Test("a bucket allows its burst, then one request per refill interval, with Retry-After in whole seconds")
    func bucket() {
        let clock = ManualClock()
        let limiter = RateLimiter(limit: RateLimit(perMinute: 30, burst: 3), clock: clock.now)
        #expect((0..<3).map { _ in limiter.acquire("a") } == Array(repeating: .allowed, count: 3))
        #expect(limiter.acquire("a") == .limited(retryAfterSeconds: 2))
        #expect(limiter.acquire("b") == .allowed)
        clock.advance(1.9)
        #expect(limiter.acquire("a") == .limited(retryAfterSeconds: 1))
        clock.advance(0.2)
        #expect(limiter.acquire("a") == .allowed)
        #expect(limiter.acquire("a") == .limited(retryAfterSeconds: 2))
        // A long pause refills to the burst, not beyond.
        clock.advance(3_600)
        #expect(
            (0..<4).map { _ in limiter.acquire("a") } == [.allowed, .allowed, .allowed, .limited(retryAfterSeconds: 2)])
    }

    @Test("memory stays bounded under a flood of distinct keys, and idle buckets go first")
    func bounded() {
        let clock = ManualClock()
        let limiter = RateLimiter(limit: RateLimit(perMinute: 60, burst: 2), maxKeys: 100, clock: clock.now)
        _ = limiter.acquire("busy")
        _ = limiter.acquire("busy")
        for n in 0..<10_000 { _ = limiter.acquire("flood-\(n)") }
        #expect(limiter.keyCount <= 100)
        // Idle keys refill in 2 s and are then dropped first; a busy key keeps its state meanwhile.
        let other = RateLimiter(limit: RateLimit(perMinute: 60, burst: 2), maxKeys: 3, clock: clock.now)
        _ = other.acquire("busy")
        _ = other.acquire("busy")
        _ = other.acquire("idle1")
        _ = other.acquire("idle2")
        clock.advance(0.5)
        _ = other.acquire("idle1")
        _ = other.acquire("idle1") // idle1 now empty too
        clock.advance(0.7) // t = 1.2 s: idle2 has refilled (full = idle); busy and idle1 have not
        #expect(other.acquire("new") == .allowed)
        #expect(other.keyCount == 3)
        #expect(other.acquire("busy") == .allowed)
        #expect(other.acquire("busy") == .limited(retryAfterSeconds: 1))
    }

    @Test("rate strings parse: 30/10, 30, off is handled by the configuration")
    func parsing() {
        #expect(RateLimit("30/10") == RateLimit(perMinute: 30, burst: 10))
        #expect(RateLimit("12") == RateLimit(perMinute: 12, burst: 12))
        #expect(
            RateLimit("0/1") == nil && RateLimit("x") == nil && RateLimit("5/0") == nil && RateLimit("1/2/3") == nil)
    }

    /// Posts one body from address `ip` (through a trusted proxy header) with an optional install.
    private static func post(_ client: some TestClientProtocol, ip: String, install: String? = nil, body: Data)
        async throws -> TestResponse
    {
        var headers: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.77, \(ip)"]
        if let install { headers[HTTPField.Name("X-Crowdspeed-Install")!] = install }
        return try await client.postSubmission(body, headers: headers)
    }

    @Test(
        "POSTs beyond the per-address burst get a 429 problem with Retry-After; other addresses and reads are unaffected"
    )
    func perAddress() async throws {
        let clock = ManualClock()
        let body = try SweepFixture.json()
        try await RouterHarness.run(
            configure: {
                $0.addressRateLimit = RateLimit(perMinute: 30, burst: 3)
                $0.trustForwardedFor = true
            }, rateClock: clock.now
        ) { client, _ in
            for _ in 0..<3 {
                #expect(try await Self.post(client, ip: "198.51.100.1", body: body).status != .tooManyRequests)
            }
            let limited = try await Self.post(client, ip: "198.51.100.1", body: body)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "2")
            #expect(try limited.problem().detail?.contains("address") == true)
            // The client-written first entry is ignored: only the proxy's last entry counts.
            #expect(try await Self.post(client, ip: "198.51.100.2", body: body).status != .tooManyRequests)
            // IPv6 addresses share their /64.
            for n in 1...3 {
                #expect(try await Self.post(client, ip: "2001:db8:1:2::\(n)", body: body).status != .tooManyRequests)
            }
            #expect(try await Self.post(client, ip: "2001:db8:1:2:ffff::9", body: body).status == .tooManyRequests)
            #expect(try await client.getMachines().status == .ok)
            clock.advance(2)
            #expect(try await Self.post(client, ip: "198.51.100.1", body: body).status != .tooManyRequests)
        }
    }

    @Test("without --trust-forwarded-for the header cannot pick a fresh bucket")
    func untrustedHeader() async throws {
        let body = try SweepFixture.json()
        try await RouterHarness.run(configure: { $0.addressRateLimit = RateLimit(perMinute: 30, burst: 2) }) {
            client, _ in
            var statuses: [HTTPResponse.Status] = []
            for n in 0..<3 { statuses.append(try await Self.post(client, ip: "198.51.100.\(n)", body: body).status) }
            #expect(statuses.last == .tooManyRequests)
        }
    }

    @Test("one install is limited across addresses")
    func perInstall() async throws {
        let body = try SweepFixture.json()
        let install = SecretToken.generate()
        try await RouterHarness.run(configure: {
            $0.installRateLimit = RateLimit(perMinute: 30, burst: 2)
            $0.trustForwardedFor = true
        }) { client, _ in
            #expect(
                try await Self.post(client, ip: "198.51.100.1", install: install, body: body).status != .tooManyRequests
            )
            #expect(
                try await Self.post(client, ip: "198.51.100.2", install: install, body: body).status != .tooManyRequests
            )
            let limited = try await Self.post(client, ip: "198.51.100.3", install: install, body: body)
            #expect(limited.status == .tooManyRequests)
            #expect(try limited.problem().detail?.contains("install") == true)
            #expect(try await Self.post(client, ip: "198.51.100.3", body: body).status != .tooManyRequests)
        }
    }

    @Test("the configuration reads rates, off, the proxy flag and the admin hash, and refuses bad values")
    func configuration() throws {
        let hash = "sha256:" + SecretToken.digest("admin-secret-token")
        let resolved = try Configuration.resolve(
            .init(),
            environment: [
                "CROWDSPEED_RATE_LIMIT": "60/20", "CROWDSPEED_INSTALL_RATE_LIMIT": "off",
                "CROWDSPEED_TRUST_FORWARDED_FOR": "1", "CROWDSPEED_ADMIN_TOKEN_HASH": hash,
            ])
        #expect(resolved.addressRateLimit == RateLimit(perMinute: 60, burst: 20))
        #expect(resolved.installRateLimit == nil)
        #expect(resolved.trustForwardedFor)
        #expect(resolved.adminTokenHash == SecretToken.digest("admin-secret-token"))
        let defaults = try Configuration.resolve(.init(), environment: [:])
        #expect(
            defaults.addressRateLimit == .defaultPerAddress && defaults.adminTokenHash == nil
                && !defaults.trustForwardedFor)
        var options = Configuration.Options()
        options.trust.rateLimit = "fast"
        #expect(throws: ConfigurationError.self) { try Configuration.resolve(options, environment: [:]) }
        // A plain token instead of its hash is refused: the server must never hold it.
        #expect(throws: ConfigurationError.self) {
            try Configuration.resolve(.init(), environment: ["CROWDSPEED_ADMIN_TOKEN_HASH": "admin-secret-token"])
        }
    }
}
