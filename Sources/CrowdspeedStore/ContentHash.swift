import CrowdspeedCore
import Foundation

/// The fingerprint that tells a harmless retry of a submission from a different submission that
/// reuses its id.
///
/// It is a 64-bit FNV-1a over every field of the decoded submission in a fixed order (lengths
/// and presence marked, doubles by bit pattern, times to the stored millisecond), so two
/// submissions get the same fingerprint when they are equal as values, whatever their key order
/// or spacing on the wire. That is plenty to detect an accidental id reuse; it is not meant to
/// resist an adversary (who could only spoil their own id).
///
/// Fingerprints written before this scheme (`fnv1a64:…`) hashed the canonical JSON encoding;
/// that costs a full re-encode per submission (13% of the server's CPU under load), so it is
/// computed only to compare with such an old row. Public so that every backend fingerprints alike.
public enum ContentHash {
    /// `fields-fnv1a64:<16 hex digits>:<hashed byte count>` of the submission's fields.
    public static func of(_ submission: Submission) -> String {
        var digest = FieldDigest()
        digest.add(submission)
        return "fields-fnv1a64:" + digest.hex + ":\(digest.count)"
    }

    /// Whether `stored`, a fingerprint from the submissions table, belongs to `submission`;
    /// `current` is ``of(_:)`` of it, computed once by the caller.
    public static func matches(_ stored: String, _ submission: Submission, current: String) throws -> Bool {
        guard stored.hasPrefix("fnv1a64:") else { return stored == current }
        return stored == (try legacy(submission))
    }

    /// The pre-`fields-` fingerprint: FNV-1a over the canonical wire encoding.
    static func legacy(_ submission: Submission) throws -> String {
        var digest = FieldDigest()
        digest.addBytes(try WireCoding.makeEncoder().encode(submission))
        return "fnv1a64:" + digest.hex + ":\(digest.count)"
    }
}

/// A streaming 64-bit FNV-1a over a submission's fields.
private struct FieldDigest {
    private var hash = FNV1a()
    /// Bytes hashed so far.
    private(set) var count = 0

    var hex: String { hash.hex }

    mutating func addByte(_ byte: UInt8) {
        hash.add(byte)
        count += 1
    }

    mutating func addBytes<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes { addByte(byte) }
    }

    /// Little-endian, so the fingerprint is the same on every platform.
    mutating func add(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { addByte(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func add(_ value: Int64) { add(UInt64(bitPattern: value)) }
    mutating func add(_ value: Int) { add(Int64(value)) }
    mutating func add(_ value: Double) { add(value.bitPattern) }
    mutating func add(_ value: Bool) { add(value ? 1 : 0) }

    /// Length first, so that adjacent strings cannot trade characters.
    mutating func add(_ value: String) {
        add(value.utf8.count)
        addBytes(value.utf8)
    }

    /// A presence marker, then the value: absent and a value's bytes never collide.
    mutating func add<Value>(_ value: Value?, _ addValue: (inout Self, Value) -> Void) {
        guard let value else { return add(0) }
        add(1)
        addValue(&self, value)
    }

    mutating func add(_ submission: Submission) {
        add(submission.schemaVersion)
        add(submission.id.storeText)
        add(StoreTime.milliseconds(submission.createdAt))
        add(submission.agent.name)
        add(submission.agent.version)
        add(submission.source.rawValue)
        add(submission.machine)
        let interpreter = submission.interpreter
        for text in [
            interpreter.implementation, interpreter.version, interpreter.languageVersion, interpreter.executable,
        ] {
            add(text)
        }
        add(submission.run) { digest, run in
            digest.add(run.seed)
            digest.add(run.rounds)
            digest.add(run.warmupRounds)
            digest.add(run.pypyGCMin) { $0.add($1) }
            digest.add(run.stopReason) { $0.add($1) }
        }
        add(submission.results.count)
        for result in submission.results { add(result) }
    }

    mutating func add(_ machine: MachineInfo) {
        for text in [machine.arch, machine.os, machine.osVersion, machine.kernel, machine.cpuVendor, machine.cpuModel] {
            add(text)
        }
        add(machine.physicalCores)
        add(machine.logicalCPUs)
        add(machine.memoryBytes)
        add(machine.caches.count)
        for cache in machine.caches {
            add(cache.level)
            add(cache.type.rawValue)
            add(cache.sizeBytes)
            add(cache.sharedBy)
        }
        add(machine.cpuinfoCacheBytes) { $0.add($1) }
        add(machine.virtualized)
        add(machine.cpuQuota) { $0.add($1) }
    }

    mutating func add(_ result: BenchmarkResult) {
        add(result.benchmark)
        add(result.benchmarkVersion)
        add(result.params.procs) { $0.add($1) }
        add(result.params.nurseryBytes) { $0.add($1) }
        add(result.params.payload) { $0.add($1) }
        add(result.params.library) { $0.add($1) }
        add(result.unit)
        add(result.samples.count)
        for sample in result.samples {
            add(sample.wallMs)
            add(sample.cpuMs)
            add(sample.maxRSSBytes)
            add(sample.round)
            add(sample.foreignLoad)
            add(sample.noisy) { $0.add($1) }
            add(sample.failed) { $0.add($1) }
        }
    }
}
