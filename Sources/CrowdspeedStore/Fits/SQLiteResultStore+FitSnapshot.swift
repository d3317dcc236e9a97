import CrowdspeedCore
import CrowdspeedFit
import Foundation
import GRDB

extension SQLiteResultStore {
    /// Everything a refit of `scope` reads, in one read transaction: the admitted curves of
    /// `benchmark` on `implementation` with `PYPY_GC_MIN` unpinned, and the scope's counter.
    /// Quarantined data (the submission, its machine or its install) is left out, and each
    /// machine's ``InstallWeightCap`` weight is read in the same transaction.
    ///
    /// The curves come in (machine id, receipt, row id) order, machine ids compared bytewise.
    public func fitSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws -> FitSnapshot
    {
        try await writer.read { db in
            try Self.fitSnapshot(db, scope: scope, benchmark: benchmark, implementation: implementation, pinned: false)
        }
    }

    /// The same read for the study-mode curves, whose runs pinned `PYPY_GC_MIN` (never fitted;
    /// compared with the ordinary ones in ``CrowdspeedFit/GCMinStudy``).
    public func gcMinPinnedSnapshot(scope: FormulaScope, benchmark: String, implementation: String) async throws
        -> FitSnapshot
    {
        try await writer.read { db in
            try Self.fitSnapshot(db, scope: scope, benchmark: benchmark, implementation: implementation, pinned: true)
        }
    }

    /// The fit snapshot inside an open read.
    ///
    /// Joining every curve to its submission, machine and install and sorting the result in
    /// SQLite cost a page read per lookup and a temporary B-tree holding every row with its
    /// blobs (most of a refit at 100k machines). Instead each table is scanned once, in storage
    /// order: machines and quarantined installs into small maps, submissions into their
    /// provenance, then the curves, each row mapped straight into a ``StoredCurve`` (strings
    /// shared across rows) and checked against those maps; the order is then restored in Swift.
    static func fitSnapshot(
        _ db: Database, scope: FormulaScope, benchmark: String, implementation: String, pinned: Bool
    ) throws -> FitSnapshot {
        var strings = Pool<String>()
        // Most curves share a grid and a round list: one array each, shared by every row.
        var grids = Pool<[Int64]>()
        var roundLists = Pool<[Int]>()

        // Machines: their quarantine flag and hardware class.
        var machines: [String: MachineFacts] = [:]
        let machineRows = try Row.fetchCursor(db, sql: "SELECT id, arch, cpu_vendor, quarantined FROM machines")
        while let row = try machineRows.next() {
            let arch: String = row[1]
            let vendor: String = row[2]
            machines[row[0]] = MachineFacts(
                quarantined: row[3], hardwareClass: strings.intern("\(arch.lowercased())/\(vendor)"))
        }
        let quarantinedInstalls = try Set(String.fetchAll(db, sql: "SELECT id FROM installs WHERE quarantined = 1"))

        // Submissions: their provenance (a submission whose machine row is missing has none,
        // as with the inner join it replaces).
        var submissionIndex: [String: Int] = [:]
        var provenance: [SubmissionProvenance] = []
        var provenanceKeys: [(receivedAt: Int64, id: String)] = []
        // Quarantined itself or through its install; its curves' machines are checked apart.
        var ownQuarantine: [Bool] = []
        let submissionRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, machine_id, install_id, source, flag_reason, received_at, quarantined, origin_hash
                FROM submissions
                """)
        while let row = try submissionRows.next() {
            let machineID: String = row[1]
            guard let machine = machines[machineID] else { continue }
            let id: String = row[0]
            let installID: String? = row[2]
            let quarantined = (row[6] as Bool) || installID.map(quarantinedInstalls.contains) == true
            submissionIndex[id] = provenance.count
            provenance.append(
                SubmissionProvenance(
                    submissionID: try uuid(id), machineID: machineID, installID: installID,
                    hardwareClass: machine.hardwareClass,
                    source: try source(row[3]),
                    quarantined: quarantined || machine.quarantined, flagReason: row[4], origin: row[7]))
            provenanceKeys.append((row[5], id))
            ownQuarantine.append(quarantined)
        }

        // Curves, in storage order: no ORDER BY, so no temporary B-tree.
        let sources = scope.sources.map(\.rawValue).sorted()
        let placeholders = sources.map { _ in "?" }.joined(separator: ", ")
        let curveRows = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, submission_id, machine_id, source, received_at, implementation, interpreter_version, benchmark_version,
                    procs, cpu_model, arch, cpu_vendor, physical_cores, l2_bytes, l3_bytes, cpuinfo_cache_bytes, default_nursery_bytes,
                    nurseries, round_ids, round_ratios
                FROM curves
                WHERE benchmark = ? AND lower(implementation) = ? AND pypy_gc_min_pinned = ? AND source IN (\(placeholders))
                """,
            arguments: StatementArguments([benchmark, implementation.lowercased()]) + [pinned]
                + StatementArguments(sources))
        // Sized once (an upper bound, from the smallest index): grown by doubling, the array of
        // 300k rows would hold up to twice their room while the input is built from it.
        let rowCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM curves") ?? 0
        var curves: [StoredCurve] = []
        curves.reserveCapacity(rowCount)
        var keys: [CurveOrderKey] = []
        keys.reserveCapacity(rowCount)
        var fitted = [Bool](repeating: false, count: provenance.count)
        var machineNumbers: [String: Int] = [:]
        var machineIDs: [String] = []
        while let row = try curveRows.next() {
            let submissionText: String = row[1]
            let machineText: String = row[2]
            guard let submission = submissionIndex[submissionText], let machine = machines[machineText] else {
                continue
            }
            // The curve's own machine counts, as in the join on `curves.machine_id`.
            guard !ownQuarantine[submission], !machine.quarantined else { continue }
            fitted[submission] = true
            let machineNumber: Int
            if let known = machineNumbers[machineText] {
                machineNumber = known
            } else {
                machineNumber = machineIDs.count
                machineNumbers[machineText] = machineNumber
                machineIDs.append(machineText)
            }
            let receivedAt: Int64 = row[4]
            keys.append(CurveOrderKey(machine: machineNumber, receivedAt: receivedAt, id: row[0]))
            let aggregate = WorkloadCurve(
                benchmark: benchmark, benchmarkVersion: strings.intern(row[7]), procs: row[8],
                curve: Curve(
                    nurseries: grids.intern(try row.withUnsafeData(atIndex: 17) { try CurveBlob.int64s($0 ?? Data()) }),
                    roundIDs: roundLists.intern(
                        try row.withUnsafeData(atIndex: 18) { try CurveBlob.rounds($0 ?? Data()) }),
                    roundRatios: try row.withUnsafeData(atIndex: 19) { try CurveBlob.doubles($0 ?? Data()) },
                    defaultNurseryBytes: row[16]))
            curves.append(
                StoredCurve(
                    submissionID: provenance[submission].submissionID, machineID: machineIDs[machineNumber],
                    source: try source(row[3]),
                    receivedAt: StoreTime.date(milliseconds: receivedAt), implementation: strings.intern(row[5]),
                    interpreterVersion: strings.intern(row[6]), pypyGCMinPinned: pinned,
                    cpuModel: strings.intern(row[9]),
                    arch: strings.intern(row[10]), cpuVendor: strings.intern(row[11]), physicalCores: row[12],
                    l2Bytes: row[13],
                    l3Bytes: row[14], cpuinfoCacheBytes: row[15], aggregate: aggregate))
        }

        // (machine id, received_at, id), machine ids bytewise as SQLite's BINARY collation.
        let machineRank = rank(machineIDs)
        let order = keys.indices.sorted { a, b in
            let x = keys[a]
            let y = keys[b]
            let (rx, ry) = (machineRank[x.machine], machineRank[y.machine])
            if rx != ry { return rx < ry }
            if x.receivedAt != y.receivedAt { return x.receivedAt < y.receivedAt }
            return x.id < y.id
        }
        keys = []
        permute(&curves, by: order)

        let submissions =
            try Int.fetchOne(db, sql: "SELECT submissions FROM fit_state WHERE scope = ?", arguments: [scope.rawValue])
            ?? 0
        // The install cap counts only what enters this fit: an install's machines in other scopes
        // or without curves here do not dilute (or inflate) its weight in this one. In receipt
        // order, as the provenance read gives it.
        let fittedProvenance = provenance.indices.filter { fitted[$0] }.sorted { a, b in
            let x = provenanceKeys[a]
            let y = provenanceKeys[b]
            if x.receivedAt != y.receivedAt { return x.receivedAt < y.receivedAt }
            return x.id.utf8.lexicographicallyPrecedes(y.id.utf8)
        }.map { provenance[$0] }
        return FitSnapshot(curves: curves, submissions: submissions, provenance: fittedProvenance)
    }

    /// Each name's position in bytewise order.
    private static func rank(_ names: [String]) -> [Int] {
        let sorted = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var rank = [Int](repeating: 0, count: names.count)
        for (position, index) in sorted.enumerated() { rank[index] = position }
        return rank
    }

    /// Reorders `values` in place so that `values[k]` becomes the old `values[order[k]]`, by
    /// following the permutation's cycles (moves, no copies of the elements).
    private static func permute<T>(_ values: inout [T], by order: [Int]) {
        var placed = [Bool](repeating: false, count: order.count)
        for start in order.indices where !placed[start] {
            var k = start
            while true {
                placed[k] = true
                let next = order[k]
                if next == start { break }
                values.swapAt(k, next)
                k = next
            }
        }
    }

    /// What the snapshot needs of a machine row.
    private struct MachineFacts {
        var quarantined: Bool
        /// `arch/vendor`, architecture lowercased (``SubmissionProvenance/hardwareClass``).
        var hardwareClass: String
    }

    /// Where a curve row goes in the snapshot's order.
    private struct CurveOrderKey {
        /// Index of the machine id in first-seen order.
        var machine: Int
        var receivedAt: Int64
        var id: Int64
    }

    /// One copy of each repeated value (CPU models, versions, classes, grids), shared by every row.
    private struct Pool<Value: Hashable> {
        private var pool: [Value: Value] = [:]

        mutating func intern(_ value: Value) -> Value {
            if let known = pool[value] { return known }
            pool[value] = value
            return value
        }
    }
}
