import CrowdspeedCore
import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Asks the server which nursery sizes are worth timing here (`GET /api/v1/plan`), one plan per
/// process count of the sweep.
public enum PlanFetcher {
    /// The hardware query the server's fitting routes read (`/api/v1/recommendations/nursery`
    /// and `/api/v1/plan`), nil when the machine reports no L2 cache (every formula needs one).
    public static func hardwareQuery(machine: MachineInfo, procs: Int, pypyVersion: String?) -> [URLQueryItem]? {
        guard let l2 = machine.cacheBytes(level: 2) else { return nil }
        var query = [
            URLQueryItem(name: "l2_bytes", value: String(l2)),
            URLQueryItem(name: "physical_cores", value: String(machine.physicalCores)),
            URLQueryItem(name: "procs", value: String(procs)),
            URLQueryItem(name: "arch", value: machine.arch),
            URLQueryItem(name: "cpu_vendor", value: machine.cpuVendor),
        ]
        if let l3 = machine.cacheBytes(level: 3) { query.append(URLQueryItem(name: "l3_bytes", value: String(l3))) }
        if let cpuinfo = machine.cpuinfoCacheBytes {
            query.append(URLQueryItem(name: "cpuinfo_cache_bytes", value: String(cpuinfo)))
        }
        if let pypyVersion { query.append(URLQueryItem(name: "pypy_version", value: pypyVersion)) }
        return query
    }

    /// `path` on `server` with `query`, keeping any path prefix the server URL has.
    public static func url(server: URL, path: String, query: [URLQueryItem]) -> URL? {
        guard var components = URLComponents(url: server, resolvingAgainstBaseURL: false) else { return nil }
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + path
        components.queryItems = query
        return components.url
    }

    /// The plans for `procs`, or why there are none (the agent then sweeps its full grid): the
    /// server unreachable, without the endpoint (404, an older server), or answering anything
    /// but a plan.
    public static func fetch(
        server: URL, machine: MachineInfo, procs: [Int], pypyVersion: String?, timeoutSeconds: Double = 15
    ) async -> Result<[Int: PlanDocument], ServerExchange.Failure> {
        var plans: [Int: PlanDocument] = [:]
        for count in procs {
            guard let query = hardwareQuery(machine: machine, procs: count, pypyVersion: pypyVersion),
                let url = url(server: server, path: "/api/v1/plan", query: query)
            else { return .failure(.init(reason: "this machine reports no L2 cache, which a plan needs")) }
            var request = URLRequest(url: url)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            switch await ServerExchange.send(request, timeoutSeconds: timeoutSeconds) {
            case .failure(let failure):
                return .failure(failure)
            case .success(let (data, response)):
                guard response.statusCode == 200 else {
                    return .failure(
                        .init(
                            reason: response.statusCode == 404
                                ? "the server has no plan endpoint" : "the server answered HTTP \(response.statusCode)")
                    )
                }
                guard let plan = try? WireCoding.makeDecoder().decode(PlanDocument.self, from: data),
                    !plan.nurseries.isEmpty, plan.stopping.minimumRounds >= 1,
                    plan.stopping.maximumRounds >= plan.stopping.minimumRounds,
                    plan.nurseries.allSatisfy({ SubmissionLimits.standard.nurseryBytes.contains($0.nurseryBytes) })
                else { return .failure(.init(reason: "the server's plan is not one this agent can follow")) }
                plans[count] = plan
            }
        }
        return .success(plans)
    }
}
