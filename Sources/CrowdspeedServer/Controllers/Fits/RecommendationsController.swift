import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import CrowdspeedPipeline
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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
/// With `machine=ID` whose own gcbench curve for that PyPy version and process count is resolved
/// (a best with its bootstrap interval), the answer is that measured best (`"source":
/// "measured"`) with the formula's answer beside it (`formula_answer`); otherwise the formula's
/// (`"source": "formula"`). See ``MachineAdvice``.
///
/// Statuses: 200 (JSON, or `text/plain` with `format=env`); 304 when
/// `If-None-Match` matches; 400 naming the parameter for any bad, missing, repeated or unknown
/// parameter; 404 for an unknown machine; 422 for a stored machine without an L2 cache; 503 with
/// `Retry-After` when there is neither a formula nor a measured curve (the service exists but
/// cannot answer yet — a 404 would tell a client the path is wrong). With `format=env`, errors
/// keep their status and answer one `#` comment line instead of a problem.
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
    static let allParameters: Set<String> = HardwareQuery.parameters.union([
        "procs", "pypy_version", "format", "machine",
    ])

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
        let reason =
            answer.source == MachineAdvice.Source.measured.rawValue
            ? "this machine's own measurement finds it within 2% of the best"
            : "the expected gain of another size is not above zero"
        return "# PYPY_GC_NURSERY: keep PyPy's default (\(answer.expectedGain.defaultPypyGCNursery)): "
            + "\(reason), so leave it unset\n"
    }

    /// The `format=env` body of an error: one `#` comment line, so that `eval "$(curl -s …)"`
    /// runs nothing and sets nothing whatever the server says. Every character that could end
    /// the comment or the line (control characters, newlines) is replaced by a space; what is
    /// left is inert after `#`.
    static func environmentError(status: Int, detail: String) -> String {
        let flat = String(
            String.UnicodeScalarView(
                detail.unicodeScalars.map { scalar in
                    scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
                        ? " " : scalar
                }))
        return "# crowdspeed: no recommendation (HTTP \(status)): \(flat)\n"
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

    /// Answers one recommendation request. With `format=env` every outcome, errors included,
    /// is shell text (see ``environmentError(status:detail:)``).
    @Sendable func recommend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let wantsEnvironment = request.uri.queryParameters[values: "format"].map(String.init) == ["env"]
        do {
            return try await answer(request)
        } catch let error where wantsEnvironment {
            let mapped = ProblemMiddleware<AppRequestContext>.problem(for: error)
            if mapped.problem.status >= 500, mapped.problem.status != 503 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            var headers = mapped.headers
            let body = Data(
                Self.environmentError(
                    status: mapped.problem.status, detail: mapped.problem.detail ?? mapped.problem.title
                ).utf8)
            headers[.contentType] = "text/plain; charset=utf-8"
            headers[.contentLength] = String(body.count)
            headers[.cacheControl] = "no-store"
            return Response(
                status: HTTPResponse.Status(code: mapped.problem.status), headers: headers,
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    /// The answer, or the error that refuses it.
    func answer(_ request: Request) async throws -> Response {
        let question = try await read(QueryReader(parameters: request.uri.queryParameters))
        let formula = try await cache.latest(scope: scope)
        guard
            let advice = MachineAdvice.advise(
                features: question.features, pypyVersion: question.pypyVersion,
                curves: question.machine?.curves ?? [], report: formula?.report)
        else {
            var headers = HTTPFields()
            headers[.retryAfter] = String(retryAfterSeconds)
            throw APIError(
                .serviceUnavailable,
                detail:
                    "No formula has been fitted yet and this input has no measured curve of its own: the server refits once enough submissions have arrived; retry later",
                headers: headers)
        }
        let etag = CachedAnswer.etag(version: formula?.version ?? 0, question.cacheKey)
        let recommendation = document(formula, advice, question)
        if question.format == "env" {
            return CachedAnswer.respond(
                request, etag: etag, contentType: "text/plain; charset=utf-8",
                body: Data(Self.environmentLine(recommendation).utf8))
        }
        return CachedAnswer.respond(
            request, etag: etag, contentType: "application/json; charset=utf-8",
            body: try CachedAnswer.json(recommendation))
    }

    /// Validates the query; every refusal names its parameter.
    func read(_ query: QueryReader) async throws -> Question {
        try query.check(allowed: Self.allParameters)
        let format = try query.choice("format", ["json", "env"], default: "json")
        let procs = try HardwareQuery.procs(query)
        var pypyVersion = try HardwareQuery.pypyVersion(query)
        if let machineID = query.string("machine") {
            if let clash = HardwareQuery.parameters.sorted().first(where: query.has) {
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
            let stamp = detail.curves.map(\.updatedAt).max().map { String(StoreTime.milliseconds($0)) } ?? "none"
            return Question(
                features: features, pypyVersion: pypyVersion, format: format, machine: detail,
                cacheKey: [
                    "machine", machineID, String(procs), pypyVersion ?? "", format, stamp,
                    String(detail.summary.submissionCount),
                ])
        }
        let hardware = try HardwareQuery.read(query, procs: procs, alternative: "give machine=ID")
        return Question(
            features: hardware.features, pypyVersion: pypyVersion, format: format, machine: nil,
            cacheKey: ["hardware"] + hardware.cacheKey + [pypyVersion ?? "", format])
    }

    /// The document for `advice`, with `formula` (when one exists) beside it.
    func document(_ formula: FittedFormula?, _ advice: MachineAdvice, _ question: Question) -> RecommendationDocument {
        let features = question.features
        let defaultValue = NurserySize.format(advice.pypyDefaultBytes)
        let value = NurserySize.format(advice.nurseryBytes)
        let formulaAnswer = formula.flatMap { fitted in
            advice.formula.map { Self.formulaAnswer(fitted, $0, advice: advice) }
        }
        let expectedGain: RecommendationDocument.ExpectedGainDocument
        let interval: RecommendationDocument.IntervalDocument?
        let text: String
        switch advice.source {
        case .measured:
            let curve = advice.measured
            let gain = advice.keepDefault ? 0 : curve?.summary.gainOverDefault
            expectedGain = .init(
                mean: gain?.finiteValue, p10: nil, p90: nil, defaultNurseryBytes: advice.pypyDefaultBytes,
                defaultPypyGCNursery: defaultValue, basis: "measured",
                populationMean: advice.formula?.gainOverDefault.mean.finiteValue)
            interval = curve?.summary.best.flatMap { best -> RecommendationDocument.IntervalDocument? in
                guard let lower = best.intervalLowerBytes, let upper = best.intervalUpperBytes else { return nil }
                return .init(
                    lowerBytes: lower, upperBytes: upper, lower: NurserySize.format(lower),
                    upper: NurserySize.format(upper), coverage: best.confidence ?? 0.95,
                    basis: "bootstrap interval of this machine's own best nursery (its rounds resampled)")
            }
            let measurement =
                "this machine's own measurement (PyPy \(question.pypyVersion ?? "?"), \(features.procs) process\(features.procs == 1 ? "" : "es"))"
            text =
                advice.keepDefault
                ? "Keep PyPy's default (\(defaultValue)): \(measurement) finds it within 2% of the best, so leave PYPY_GC_NURSERY unset."
                : "Set PYPY_GC_NURSERY=\(value): \(measurement) found it best, \(Self.percent(gain)) less CPU time than PyPy's default (\(defaultValue))."
        case .formula:
            guard let fitted = formula, let answer = formulaAnswer, let recommendation = advice.formula else {
                preconditionFailure("a formula answer has a formula")
            }
            expectedGain =
                advice.keepDefault
                ? .init(
                    mean: 0, p10: 0, p90: 0, defaultNurseryBytes: advice.pypyDefaultBytes,
                    defaultPypyGCNursery: defaultValue, basis: answer.expectedGain.basis,
                    distanceLog2: answer.expectedGain.distanceLog2, curves: answer.expectedGain.curves,
                    populationMean: answer.expectedGain.populationMean)
                : answer.expectedGain
            interval = advice.keepDefault ? nil : Self.predictionInterval(fitted, recommendation)
            text =
                advice.keepDefault
                ? "Keep PyPy's default (\(defaultValue)): the expected gain of a different nursery size is not above zero, so leave PYPY_GC_NURSERY unset."
                : "Set PYPY_GC_NURSERY=\(value): expected \(Self.percent(expectedGain.mean)) less CPU time than PyPy's default (\(defaultValue)) on a machine like this (80%: \(Self.percent(expectedGain.p10)) to \(Self.percent(expectedGain.p90)))."
        }
        let pypy = formula?.report.baselines.first { $0.name == FormulaFamily.pypyDefault.rawValue }
        var links = ["formulas": FormulasController.basePath]
        if let formula { links["formula"] = FormulasController.link(formula.version) }
        var machineEvidence: RecommendationDocument.MachineEvidence?
        if let machine = question.machine {
            let id = machine.summary.id
            links["machine"] = MachinesController.link(id)
            links["machine_page"] = "/machines/\(id)"
            let candidates = machine.curves.filter {
                $0.key.benchmark == BenchmarkName.gcbench && !$0.key.pypyGCMinPinned && $0.key.procs == features.procs
                    && $0.key.implementation.lowercased() == "pypy" && $0.summary.best != nil
            }
            let measured =
                advice.measured ?? candidates.first { $0.key.interpreterVersion == question.pypyVersion }
                ?? candidates.max { $0.updatedAt < $1.updatedAt }
            machineEvidence = RecommendationDocument.MachineEvidence(
                id: id, measured: measured, link: MachinesController.link(id))
        }
        return RecommendationDocument(
            source: advice.source.rawValue, nurseryBytes: advice.nurseryBytes, pypyGCNursery: value,
            keepDefault: advice.keepDefault, advice: text,
            formula: formula.flatMap { fitted in
                advice.formula.map { recommendation -> RecommendationDocument.FormulaReference in
                    .init(
                        version: fitted.version, name: recommendation.formulaName,
                        text: recommendation.formula.description,
                        hardwareClass: recommendation.hardwareClass?.description, scope: fitted.summary.scope,
                        synthetic: fitted.isSynthetic, link: FormulasController.link(fitted.version))
                }
            },
            interval: interval, expectedGain: expectedGain, formulaAnswer: formulaAnswer,
            heldOutRegret: advice.formula.map { RegretDocument($0.heldOutRegret) },
            pypyDefaultRegret: pypy.map { RegretDocument($0.heldOutRegret) },
            evidence: formula.map { EvidenceDocument($0.report.evidence, heldOut: $0.report.isHeldOut) },
            insideTrainingRange: advice.formula?.insideTrainingRange ?? false,
            input: .init(
                l2Bytes: features.l2Bytes, l3Bytes: features.l3Bytes, physicalCores: features.physicalCores,
                procs: features.procs,
                arch: features.arch, cpuVendor: features.cpuVendor, cpuinfoCacheBytes: features.cpuinfoCacheBytes,
                pypyVersion: question.pypyVersion),
            machine: machineEvidence, links: links)
    }

    /// The formula's own answer: its size, its advice and this input's expected gain.
    static func formulaAnswer(
        _ formula: FittedFormula, _ recommendation: NurseryRecommendation, advice: MachineAdvice
    ) -> RecommendationDocument.FormulaAnswer {
        let gain = recommendation.expectedGain
        let (basis, distance, curves): (String, Double?, Int?) =
            switch recommendation.expectedGainBasis {
            case .distance(let log2, let curves): ("distance", log2, curves)
            case .population: ("population", nil, nil)
            }
        return .init(
            formulaNurseryBytes: recommendation.formulaBytes,
            formulaPypyGCNursery: NurserySize.format(recommendation.formulaBytes),
            nurseryBytes: recommendation.nurseryBytes, pypyGCNursery: recommendation.environmentValue,
            keepDefault: recommendation.keepDefault,
            expectedGain: .init(
                mean: gain.mean.finiteValue, p10: gain.p10.finiteValue, p90: gain.p90.finiteValue,
                defaultNurseryBytes: recommendation.pypyDefaultBytes,
                defaultPypyGCNursery: NurserySize.format(recommendation.pypyDefaultBytes), basis: basis,
                distanceLog2: distance?.finiteValue, curves: curves,
                populationMean: recommendation.gainOverDefault.mean.finiteValue),
            measuredGainOnThisMachine: advice.formulaGainOnThisMachine)
    }

    /// The 80% interval of where a machine like this one has its best, around the formula's answer.
    static func predictionInterval(
        _ formula: FittedFormula, _ recommendation: NurseryRecommendation
    ) -> RecommendationDocument.IntervalDocument? {
        let classKey = recommendation.hardwareClass?.description ?? PredictionInterval.globalKey
        return (formula.intervals[classKey] ?? formula.intervals[PredictionInterval.globalKey]).map { spread in
            let bounds = spread.bounds(around: recommendation.formulaBytes)
            return RecommendationDocument.IntervalDocument(
                lowerBytes: bounds.lower, upperBytes: bounds.upper, lower: NurserySize.format(bounds.lower),
                upper: NurserySize.format(bounds.upper), coverage: spread.coverage,
                basis:
                    "where \(Int(spread.coverage * 100))% of the \(spread.curves) training curves' measured best nursery lay relative to this formula's answer"
            )
        }
    }

    /// `12.3%`, or `a` when unknown (reads "a less CPU time" only in the impossible case).
    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "an unknown amount of" }
        return String(format: "%.1f%%", 100 * value)
    }
}
