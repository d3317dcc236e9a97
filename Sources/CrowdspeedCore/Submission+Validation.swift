import Foundation

/// A submission the server refuses, with every reason found.
public struct SubmissionRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public var issues: [FieldIssue]
    public init(_ issues: [FieldIssue]) { self.issues = issues }
    public var description: String { issues.map(\.description).joined(separator: "; ") }
}

extension Submission {
    /// Checks every field against `limits` and the rules of schema version 1.
    ///
    /// - Parameters:
    ///   - limits: the bounds to enforce.
    ///   - now: the receiving clock, to refuse dates from the far future.
    /// - Returns: every problem found, each naming its field path (`results[2].samples[0].cpu_ms`);
    ///   empty when the submission is valid. Collection stops after 50 problems.
    public func validationIssues(limits: SubmissionLimits = .standard, now: Date) -> [FieldIssue] {
        var check = Checker(limits: limits)
        if schemaVersion != WireCoding.schemaVersion {
            check.fail(
                "schema_version",
                "unsupported schema version \(schemaVersion); this server reads version \(WireCoding.schemaVersion)")
        }
        if createdAt.timeIntervalSince(now) > limits.maxFutureSkew {
            check.fail("created_at", "lies more than a day in the future")
        }
        if createdAt.timeIntervalSince1970 < 1_577_836_800 { check.fail("created_at", "is before 2020") }
        check.text("agent.name", agent.name)
        check.text("agent.version", agent.version)

        check.text("machine.arch", machine.arch)
        check.text("machine.os", machine.os)
        check.text("machine.os_version", machine.osVersion, allowEmpty: true)
        check.text("machine.kernel", machine.kernel, allowEmpty: true)
        check.text("machine.cpu_vendor", machine.cpuVendor)
        check.text("machine.cpu_model", machine.cpuModel)
        check.range("machine.physical_cores", machine.physicalCores, limits.cores)
        check.range("machine.logical_cpus", machine.logicalCPUs, limits.cores)
        if machine.logicalCPUs < machine.physicalCores {
            check.fail("machine.logical_cpus", "is below physical_cores (\(machine.physicalCores))")
        }
        check.range("machine.memory_bytes", machine.memoryBytes, limits.memoryBytes)
        if machine.caches.count > limits.maxCaches {
            check.fail("machine.caches", "has \(machine.caches.count) entries; at most \(limits.maxCaches)")
        }
        for (index, cache) in machine.caches.prefix(limits.maxCaches).enumerated() {
            let path = "machine.caches[\(index)]"
            check.range("\(path).level", cache.level, 1...5)
            check.range("\(path).size_bytes", cache.sizeBytes, limits.cacheBytes)
            check.range("\(path).shared_by", cache.sharedBy, 1...max(1, machine.logicalCPUs))
        }
        if let bytes = machine.cpuinfoCacheBytes {
            check.range("machine.cpuinfo_cache_bytes", bytes, limits.cacheBytes)
        }
        if let quota = machine.cpuQuota {
            check.number("machine.cpu_quota", quota, 0.01...Double(limits.cores.upperBound))
        }

        check.text("interpreter.implementation", interpreter.implementation)
        check.text("interpreter.version", interpreter.version)
        check.text("interpreter.language_version", interpreter.languageVersion)
        check.text("interpreter.executable", interpreter.executable)

        if let run {
            check.range("run.rounds", run.rounds, limits.rounds)
            check.range("run.warmup_rounds", run.warmupRounds, limits.rounds)
            if let gcMin = run.pypyGCMin { check.text("run.pypy_gc_min", gcMin, allowEmpty: true) }
            if let reason = run.stopReason { check.text("run.stop_reason", reason) }
        }

        validateResults(&check, limits: limits)
        return check.issues
    }

    /// Throws ``SubmissionRejection`` when ``validationIssues(limits:now:)`` finds anything.
    public func validate(limits: SubmissionLimits = .standard, now: Date) throws(SubmissionRejection) {
        let issues = validationIssues(limits: limits, now: now)
        if !issues.isEmpty { throw SubmissionRejection(issues) }
    }

    private func validateResults(_ check: inout Checker, limits: SubmissionLimits) {
        if results.isEmpty { check.fail("results", "is empty; a submission needs at least one result") }
        if results.count > limits.maxResults {
            check.fail("results", "has \(results.count) entries; at most \(limits.maxResults)")
            return
        }
        let total = results.reduce(0) { $0 + $1.samples.count }
        if total > limits.maxSamplesTotal {
            check.fail("results", "hold \(total) samples in all; at most \(limits.maxSamplesTotal)")
            return
        }
        var keys = Set<String>()
        let maxRound = run.map { max(0, $0.rounds - 1) }
        for (index, result) in results.enumerated() {
            let path = "results[\(index)]"
            check.identifier("\(path).benchmark", result.benchmark)
            check.identifier("\(path).benchmark_version", result.benchmarkVersion)
            if result.unit != "ms" { check.fail("\(path).unit", "must be \"ms\"") }
            let params = result.params
            if let procs = params.procs { check.range("\(path).params.procs", procs, limits.procs) }
            if let nursery = params.nurseryBytes {
                check.range("\(path).params.nursery_bytes", nursery, limits.nurseryBytes)
            }
            if let payload = params.payload { check.identifier("\(path).params.payload", payload) }
            if let library = params.library { check.identifier("\(path).params.library", library) }
            if result.benchmark == BenchmarkName.gcbench && params.procs == nil {
                check.fail("\(path).params.procs", "is required for gcbench")
            }
            if result.benchmark.hasPrefix("json.") && (params.payload == nil || params.library == nil) {
                check.fail("\(path).params", "json benchmarks need payload and library")
            }
            let key = "\(result.benchmark)|\(result.benchmarkVersion)|\(params.canonicalKey)"
            if !keys.insert(key).inserted {
                check.fail("\(path)", "repeats the benchmark, version and params of an earlier result")
            }
            if result.samples.isEmpty { check.fail("\(path).samples", "is empty") }
            if result.samples.count > limits.maxSamplesPerResult {
                check.fail(
                    "\(path).samples", "has \(result.samples.count) entries; at most \(limits.maxSamplesPerResult)")
                continue
            }
            for (sampleIndex, sample) in result.samples.enumerated() {
                // Built only for a sample that fails a check.
                let samplePath = { "\(path).samples[\(sampleIndex)]" }
                check.number("\(samplePath()).wall_ms", sample.wallMs, limits.timingMs)
                check.number("\(samplePath()).cpu_ms", sample.cpuMs, limits.timingMs)
                check.range("\(samplePath()).max_rss_bytes", sample.maxRSSBytes, limits.rssBytes)
                check.range("\(samplePath()).round", sample.round, limits.rounds)
                if let maxRound, sample.round > maxRound {
                    check.fail("\(samplePath()).round", "is \(sample.round) but run.rounds says rounds 0…\(maxRound)")
                }
                check.number("\(samplePath()).foreign_load", sample.foreignLoad, 0...1)
                if check.isFull { return }
            }
            checkRoundConsistency(&check, result: result, path: path, limits: limits)
        }
    }
}

extension Submission {
    /// Consistent rounds: a round runs each point once, and a point at `procs = k` starts k
    /// processes, so one result can hold at most k samples of any round (one for the JSON
    /// benchmarks, which run one process). More can only come from a broken or forging client.
    ///
    /// Fewer than k is accepted: imported mailing-list data records one process's time per
    /// round, and the shared test fixtures do the same.
    fileprivate func checkRoundConsistency(
        _ check: inout Checker, result: BenchmarkResult, path: String, limits: SubmissionLimits
    ) {
        let capacity = result.benchmark == BenchmarkName.gcbench ? max(1, result.params.procs ?? 1) : 1
        guard result.samples.count > capacity else { return }
        var perRound: [Int: Int] = [:]
        for sample in result.samples where limits.rounds.contains(sample.round) {
            perRound[sample.round, default: 0] += 1
        }
        if let (round, count) = perRound.filter({ $0.value > capacity }).min(by: { $0.key < $1.key }) {
            let what = capacity == 1 ? "one process" : "\(capacity) processes"
            check.fail("\(path).samples", "hold \(count) samples of round \(round); a round of this point runs \(what)")
        }
    }
}

/// Collects field problems, stopping at a cap so a hostile body cannot make a huge error document.
///
/// Field names are autoclosures: a valid submission has ~400 samples of five checks each, and
/// building every check's field path was most of validation's cost (`perf`, ingest at c32).
private struct Checker {
    let limits: SubmissionLimits
    var issues: [FieldIssue] = []
    static let cap = 50

    var isFull: Bool { issues.count >= Self.cap }

    mutating func fail(_ field: @autoclosure () -> String, _ reason: @autoclosure () -> String) {
        if !isFull { issues.append(FieldIssue(field: field(), reason: reason())) }
    }

    mutating func text(_ field: @autoclosure () -> String, _ value: String, allowEmpty: Bool = false) {
        if let reason = TextRules.problem(value, maxLength: limits.maxStringLength, allowEmpty: allowEmpty) {
            fail(field(), reason)
        }
    }

    /// Names that become parts of keys (benchmark, version, payload, library): letters, digits and
    /// `._-` only, so a canonical key like `payload=a,library=b` can never be forged by a name.
    mutating func identifier(_ field: @autoclosure () -> String, _ value: String) {
        if value.isEmpty || value.count > 64
            || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        {
            fail(field(), "must be 1–64 characters of letters, digits, '.', '_' or '-'")
        }
    }

    mutating func range<T: Comparable>(_ field: @autoclosure () -> String, _ value: T, _ bounds: ClosedRange<T>) {
        if !bounds.contains(value) {
            fail(field(), "is \(value); must be within \(bounds.lowerBound)…\(bounds.upperBound)")
        }
    }

    mutating func number(_ field: @autoclosure () -> String, _ value: Double, _ bounds: ClosedRange<Double>) {
        if !value.isFinite { fail(field(), "must be a finite number") } else { range(field(), value, bounds) }
    }
}

/// The rules every submitted string obeys: bounded, printable, and no markup, so that no stored
/// string can ever be mistaken for HTML even by a careless reader of the data.
public enum TextRules {
    /// Returns why `value` is refused, or nil when it is acceptable.
    public static func problem(_ value: String, maxLength: Int, allowEmpty: Bool = false) -> String? {
        if value.isEmpty { return allowEmpty ? nil : "must not be empty" }
        if value.count > maxLength { return "is \(value.count) characters long; at most \(maxLength)" }
        if value.unicodeScalars.contains(where: {
            $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
        }) {
            return "contains control characters"
        }
        if value.contains(where: { "<>".contains($0) }) { return "contains markup characters (< or >)" }
        return nil
    }
}
