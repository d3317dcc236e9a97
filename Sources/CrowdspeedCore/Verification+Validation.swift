import Foundation

extension Verification {
    /// Checks every field against `limits`.
    ///
    /// Besides the bounds, ``gain`` must be the median of ``roundGains`` (the server stores the
    /// figure it can check, not a second opinion), the interval must come whole and in order,
    /// and a `formula` source must name its formula version.
    ///
    /// - Returns: every problem found, each naming its field; empty when the verification is valid.
    public func validationIssues(limits: VerificationLimits = .standard, now: Date) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func fail(_ field: String, _ reason: String) { issues.append(FieldIssue(field: field, reason: reason)) }
        func text(_ field: String, _ value: String) {
            if let reason = TextRules.problem(value, maxLength: limits.submission.maxStringLength) {
                fail(field, reason)
            }
        }
        func range<T: Comparable>(_ field: String, _ value: T, _ bounds: ClosedRange<T>) {
            if !bounds.contains(value) {
                fail(field, "is \(value); must be within \(bounds.lowerBound)…\(bounds.upperBound)")
            }
        }
        func number(_ field: String, _ value: Double, _ bounds: ClosedRange<Double>) {
            if !value.isFinite { fail(field, "must be a finite number") } else { range(field, value, bounds) }
        }

        if schemaVersion != WireCoding.schemaVersion {
            fail(
                "schema_version",
                "unsupported schema version \(schemaVersion); this server reads version \(WireCoding.schemaVersion)")
        }
        if createdAt.timeIntervalSince(now) > limits.submission.maxFutureSkew {
            fail("created_at", "lies more than a day in the future")
        }
        if createdAt.timeIntervalSince1970 < 1_577_836_800 { fail("created_at", "is before 2020") }
        text("agent.name", agent.name)
        text("agent.version", agent.version)
        if !MachineInfo.isWellFormedID(machineID) {
            fail("machine_id", "must be m- followed by 16 lowercase hex digits")
        }
        text("pypy_version", pypyVersion)
        range("procs", procs, limits.submission.procs)
        range("nursery_bytes", nurseryBytes, limits.submission.nurseryBytes)
        if let defaultNurseryBytes {
            range("default_nursery_bytes", defaultNurseryBytes, limits.submission.nurseryBytes)
        }
        if let version = sizeSource.formulaVersion {
            range("size_source.formula_version", version, limits.formulaVersion)
        } else if sizeSource.kind == .formula {
            fail("size_source.formula_version", "is required when the size is the formula's")
        }
        if let predicted = sizeSource.predictedGain { number("size_source.predicted_gain", predicted, limits.gain) }
        range("rounds", rounds, limits.rounds)
        range("failed_samples", failedSamples, limits.failedSamples)
        if roundGains.isEmpty || roundGains.count > rounds {
            fail("round_gains", "has \(roundGains.count) entries; must have 1 to rounds (\(rounds))")
        }
        for (index, value) in roundGains.prefix(limits.rounds.upperBound).enumerated() {
            number("round_gains[\(index)]", value, limits.gain)
        }
        number("gain", gain, limits.gain)
        if roundGains.allSatisfy(\.isFinite), let median = Median.of(roundGains), gain.isFinite,
            abs(gain - median) > 1e-9 * max(1, abs(median))
        {
            fail("gain", "is \(gain); must be the median of round_gains (\(median))")
        }
        switch (gainLower, gainUpper) {
        case (nil, nil): break
        case (let lower?, let upper?):
            number("gain_lower", lower, limits.gain)
            number("gain_upper", upper, limits.gain)
            if lower.isFinite, upper.isFinite, lower > upper { fail("gain_lower", "is above gain_upper") }
        default: fail("gain_lower", "and gain_upper must both be present or both be absent")
        }
        number("confidence", confidence, limits.confidence)
        return issues
    }

    /// Throws ``SubmissionRejection`` (the server answers 422) when ``validationIssues(limits:now:)``
    /// finds anything.
    public func validate(limits: VerificationLimits = .standard, now: Date) throws(SubmissionRejection) {
        let issues = validationIssues(limits: limits, now: now)
        if !issues.isEmpty { throw SubmissionRejection(issues) }
    }
}
