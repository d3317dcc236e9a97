import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /api/v1/recommendations/nursery`: the recommended `PYPY_GC_NURSERY` for a machine,
/// described by its hardware (`l2_bytes`, `l3_bytes`, `physical_cores`, `procs`, `arch`,
/// `cpu_vendor`, `pypy_version`, `cpuinfo_cache_bytes`) or by a stored `machine` id.
///
/// With `format=env` the answer is one line that is valid shell and a valid env file (systemd
/// `EnvironmentFile`, `docker --env-file`, dotenv): `PYPY_GC_NURSERY=8M`, or, when the advice is
/// to keep PyPy's default, a `#` comment saying so. The comment sets nothing on purpose: writing
/// the default's size out would pin today's estimate of it (from hardware numbers the client
/// sent, not the `/proc/cpuinfo` PyPy itself reads) and outlive a better rule in a later PyPy.
///
/// Statuses: 200 (JSON, or `text/plain` with `format=env`); 304 when
/// `If-None-Match` matches; 400 naming the parameter for any bad, missing, repeated or unknown
/// parameter; 404 for an unknown machine; 422 for a stored machine without an L2 cache; 503 with
/// `Retry-After` before the first formula has been fitted (the service exists but cannot answer
/// yet — a 404 would tell a client the path is wrong).
///
/// Answers depend only on the formula version and the query (and, for `machine`, the machine's
/// last update), so they carry a strong `ETag` and `Cache-Control: public, max-age=60`.
public struct RecommendationsController: Sendable {
    let store: any ResultStore
    let cache: FormulaCache
    let scope: FormulaScope
    /// Seconds a client is told to wait before asking again when no formula exists.
    let retryAfterSeconds: Int

    /// The route's path.
    public static let path = "/api/v1/recommendations/nursery"

    /// The parameters this route reads.
    static let hardwareParameters: Set<String> = [
        "l2_bytes", "l3_bytes", "physical_cores", "arch", "cpu_vendor", "cpuinfo_cache_bytes",
    ]
    static let allParameters: Set<String> = hardwareParameters.union(["procs", "pypy_version", "format", "machine"])

    /// Creates the controller.
    public init(
        store: any ResultStore, cache: FormulaCache, scope: FormulaScope, retryAfterSeconds: Int
    ) {
        self.store = store
        self.cache = cache
        self.scope = scope
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The route, relative to ``path``.
    public var routes: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        routes.get(use: recommend)
        return routes
    }

    /// The `format=env` body: an assignment, or a comment when the default should be kept.
    static func environmentLine(_ answer: RecommendationDocument) -> String {
        guard answer.keepDefault else { return "PYPY_GC_NURSERY=\(answer.pypyGCNursery)\n" }
        return "# PYPY_GC_NURSERY: keep PyPy's default (\(answer.expectedGain.defaultPypyGCNursery)): "
            + "the expected gain of another size is not above zero, so leave it unset\n"
    }

    /// What the query asks for, validated.
    struct Question {
        var features: MachineFeatures
        var pypyVersion: String?
        var format: String
        var machine: MachineDetail?
        /// Identifies the answer for the ETag.
        var cacheKey: [String]
    }

    /// Answers one recommendation request.
    @Sendable func recommend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let question = try await read(QueryReader(parameters: request.uri.queryParameters))
        guard let formula = try await cache.latest(scope: scope) else {
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfterSeconds)
            throw APIError(
                .serviceUnavailable,
                detail:
                    "No formula has been fitted yet: the server refits once enough submissions have arrived; retry later",
                headers: headers)
        }
        let etag = CachedAnswer.etag(version: formula.version, question.cacheKey)
        let answer = document(formula, question)
        if question.format == "env" {
            return CachedAnswer.respond(
                request, etag: etag, contentType: "text/plain; charset=utf-8",
                body: Data(Self.environmentLine(answer).utf8))
        }
        return CachedAnswer.respond(
            request, etag: etag, contentType: "application/json; charset=utf-8", body: try CachedAnswer.json(answer))
    }

    /// Validates the query; every refusal names its parameter.
    func read(_ query: QueryReader) async throws -> Question {
        try query.check(allowed: Self.allParameters)
        let format = try query.choice("format", ["json", "env"], default: "json")
        let procs = Int(try query.integer("procs", in: 1...4096) ?? 1)
        var pypyVersion = try query.identifier("pypy_version", maxLength: 32)
        if let version = pypyVersion, !(version.first?.isNumber ?? false) {
            throw APIError.badParameter("pypy_version", "must be a PyPy version such as 7.3.17")
        }
        if let machineID = query.string("machine") {
            if let clash = Self.hardwareParameters.sorted().first(where: query.has) {
                throw APIError.badParameter(
                    clash, "cannot be combined with machine (the machine's own hardware is used)")
            }
            guard MachinesController.isMachineID(machineID) else {
                throw APIError.badParameter("machine", "is not a machine id (m- followed by 16 hex digits)")
            }
            guard let detail = try await store.machine(id: machineID) else {
                throw APIError.notFound("No machine with id \(machineID)")
            }
            guard let features = MachineFeatures(machine: detail.hardware, procs: procs) else {
                throw APIError(
                    .unprocessableContent,
                    detail: "Machine \(machineID) reports no L2 cache, which every formula needs",
                    issues: [FieldIssue(field: "machine", reason: "has no L2 cache recorded")])
            }
            // Without an explicit version, the machine's most recently measured PyPy is assumed.
            if pypyVersion == nil {
                pypyVersion =
                    detail.curves.filter { $0.key.implementation.lowercased() == "pypy" }
                    .max { $0.updatedAt < $1.updatedAt }?.key.interpreterVersion
            }
            let stamp = detail.curves.map(\.updatedAt).max().map { String(StoreTimeStamp.milliseconds($0)) } ?? "none"
            return Question(
                features: features, pypyVersion: pypyVersion, format: format, machine: detail,
                cacheKey: [
                    "machine", machineID, String(procs), pypyVersion ?? "", format, stamp,
                    String(detail.summary.submissionCount),
                ])
        }
        guard let l2 = try query.integer("l2_bytes", in: 1024...(1 << 32)) else {
            throw APIError.badParameter("l2_bytes", "is required (or give machine=ID)")
        }
        let l3 = try query.integer("l3_bytes", in: 0...(1 << 36))
        guard let cores = try query.integer("physical_cores", in: 1...4096) else {
            throw APIError.badParameter("physical_cores", "is required (or give machine=ID)")
        }
        guard let arch = try query.identifier("arch") else {
            throw APIError.badParameter("arch", "is required, e.g. x86_64")
        }
        guard let vendor = try query.identifier("cpu_vendor") else {
            throw APIError.badParameter("cpu_vendor", "is required, e.g. GenuineIntel, AuthenticAMD, ARM")
        }
        let cpuinfo = try query.integer("cpuinfo_cache_bytes", in: 1...(1 << 36))
        let features = MachineFeatures(
            l2Bytes: l2, l3Bytes: l3, physicalCores: Int(cores), procs: procs, arch: arch, cpuVendor: vendor,
            cpuinfoCacheBytes: cpuinfo)
        return Question(
            features: features, pypyVersion: pypyVersion, format: format, machine: nil,
            cacheKey: [
                "hardware", String(l2), l3.map(String.init) ?? "", String(cores), String(procs), features.arch, vendor,
                cpuinfo.map(String.init) ?? "", pypyVersion ?? "", format,
            ])
    }

    /// The answer of `formula` to `question`.
    func document(_ formula: FittedFormula, _ question: Question) -> RecommendationDocument {
        let features = question.features
        let recommendation = formula.report.recommend(for: features, pypyVersion: question.pypyVersion)
        let classKey = recommendation.hardwareClass?.description ?? PredictionInterval.globalKey
        let predicted = recommendation.formula.predict(features, pypyVersion: question.pypyVersion)
        let interval = (formula.intervals[classKey] ?? formula.intervals[PredictionInterval.globalKey]).map { spread in
            let bounds = spread.bounds(around: predicted)
            return RecommendationDocument.IntervalDocument(
                lowerBytes: bounds.lower, upperBytes: bounds.upper, lower: NurserySize.format(bounds.lower),
                upper: NurserySize.format(bounds.upper), coverage: spread.coverage,
                basis:
                    "where \(Int(spread.coverage * 100))% of the \(spread.curves) training curves' measured best nursery lay relative to this formula's answer"
            )
        }
        let value = NurserySize.format(recommendation.nurseryBytes)
        let defaultValue = NurserySize.format(recommendation.pypyDefaultBytes)
        let gain = recommendation.gainOverDefault
        let advice: String =
            if recommendation.keepDefault {
                "Keep PyPy's default (\(defaultValue)): the expected gain of a different nursery size is not above zero, so leave PYPY_GC_NURSERY unset."
            } else {
                "Set PYPY_GC_NURSERY=\(value): expected \(gain.mean.isFinite ? String(format: "%.1f%%", 100 * gain.mean) : "a") less CPU time than PyPy's default (\(defaultValue))."
            }
        let pypy = formula.report.baselines.first { $0.name == FormulaFamily.pypyDefault.rawValue }
        var links = ["formula": FormulasController.link(formula.version), "formulas": FormulasController.basePath]
        var machineEvidence: RecommendationDocument.MachineEvidence?
        if let machine = question.machine {
            let id = machine.summary.id
            links["machine"] = MachinesController.link(id)
            let candidates = machine.curves.filter {
                $0.key.benchmark == BenchmarkName.gcbench && !$0.key.pypyGCMinPinned && $0.key.procs == features.procs
                    && $0.key.implementation.lowercased() == "pypy" && $0.summary.best != nil
            }
            let measured =
                candidates.first { $0.key.interpreterVersion == question.pypyVersion }
                ?? candidates.max { $0.updatedAt < $1.updatedAt }
            machineEvidence = RecommendationDocument.MachineEvidence(
                id: id, measured: measured, link: MachinesController.link(id))
        }
        return RecommendationDocument(
            nurseryBytes: recommendation.nurseryBytes, pypyGCNursery: value, keepDefault: recommendation.keepDefault,
            advice: advice,
            formula: .init(
                version: formula.version, name: recommendation.formulaName, text: recommendation.formula.description,
                hardwareClass: recommendation.hardwareClass?.description, scope: formula.summary.scope,
                synthetic: formula.isSynthetic,
                link: FormulasController.link(formula.version)),
            interval: recommendation.keepDefault ? nil : interval,
            expectedGain: .init(
                mean: recommendation.keepDefault ? 0 : finiteOrNil(gain.mean),
                p10: recommendation.keepDefault ? 0 : finiteOrNil(gain.p10),
                p90: recommendation.keepDefault ? 0 : finiteOrNil(gain.p90),
                defaultNurseryBytes: recommendation.pypyDefaultBytes,
                defaultPypyGCNursery: defaultValue),
            heldOutRegret: RegretDocument(recommendation.heldOutRegret),
            pypyDefaultRegret: pypy.map { RegretDocument($0.heldOutRegret) },
            evidence: EvidenceDocument(formula.report.evidence, heldOut: formula.report.isHeldOut),
            insideTrainingRange: recommendation.insideTrainingRange,
            input: .init(
                l2Bytes: features.l2Bytes, l3Bytes: features.l3Bytes, physicalCores: features.physicalCores,
                procs: features.procs,
                arch: features.arch, cpuVendor: features.cpuVendor, cpuinfoCacheBytes: features.cpuinfoCacheBytes,
                pypyVersion: question.pypyVersion),
            machine: machineEvidence, links: links)
    }
}

/// Milliseconds since 1970 of a date, for cache keys.
enum StoreTimeStamp {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
