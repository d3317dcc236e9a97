import CrowdspeedCore
import CrowdspeedFit
import CrowdspeedStore
import Foundation
import PostgresNIO

extension PostgresResultStore {
    /// Writes a submission's curves, bumps the refit counters and appends each curve to its
    /// machine key's window (``CurveWindow``), inside the ingest transaction, after the
    /// submission row exists and its machine row is locked (so no other transaction changes the
    /// machine's windows meanwhile). As in SQLite, a submission from a quarantined install is
    /// stored but stays out of the windows.
    ///
    /// - Returns: the windows written, for the caller to summarize after the commit.
    func storeCurves(_ prepared: PreparedIngest, installQuarantined: Bool, on connection: PostgresConnection)
        async throws -> [CurveWindow]
    {
        let curves = prepared.curves
        guard !curves.isEmpty else { return [] }
        let submission = prepared.submission
        let machine = submission.machine
        let pinned = submission.run?.pypyGCMin != nil
        let encoded = try curves.map { try EncodedCurve($0.curve) }
        try await connection.query(
            """
            INSERT INTO curves (submission_id, machine_id, source, received_at, implementation, interpreter_version,
                benchmark, benchmark_version, procs, pypy_gc_min_pinned, cpu_model, arch, cpu_vendor, physical_cores,
                l2_bytes, l3_bytes, cpuinfo_cache_bytes, default_nursery_bytes, round_count, nurseries, round_ids,
                round_ratios)
            SELECT \(prepared.id), \(prepared.machineID), \(submission.source.rawValue), \(prepared.received),
                \(submission.interpreter.implementation), \(submission.interpreter.version), c.benchmark,
                c.benchmark_version, c.procs, \(pinned), \(machine.cpuModel), \(machine.arch), \(machine.cpuVendor),
                \(machine.physicalCores), \(machine.cacheBytes(level: 2)), \(machine.cacheBytes(level: 3)),
                \(machine.cpuinfoCacheBytes), c.default_nursery_bytes, c.round_count, c.nurseries, c.round_ids,
                c.round_ratios
            FROM unnest(\(curves.map(\.benchmark))::text[], \(curves.map(\.benchmarkVersion))::text[],
                \(curves.map(\.procs))::bigint[], \(NullableArray(curves.map(\.curve.defaultNurseryBytes)))::bigint[],
                \(curves.map(\.curve.roundIDs.count))::bigint[], \(encoded.map(\.nurseries))::bytea[],
                \(encoded.map(\.roundIDs))::bytea[], \(encoded.map(\.roundRatios))::bytea[])
                AS c(benchmark, benchmark_version, procs, default_nursery_bytes, round_count, nurseries, round_ids,
                    round_ratios)
            """, logger: logger)
        // Pinned runs never enter a fit, so they do not make one due.
        if !pinned {
            let scopes = FormulaScope.allCases.filter { $0.sources.contains(submission.source) }.map(\.rawValue)
            try await connection.query(
                "UPDATE fit_state SET submissions = submissions + 1 WHERE scope = ANY(\(scopes)::text[])",
                logger: logger)
        }
        guard !installQuarantined else { return [] }
        let stored = try await Self.rows(
            connection,
            """
            SELECT * FROM curve_windows WHERE machine_id = \(prepared.machineID)
                AND implementation = \(submission.interpreter.implementation)
                AND interpreter_version = \(submission.interpreter.version) AND pypy_gc_min_pinned = \(pinned)
            """, logger: logger
        ).map(Self.curveWindow)
        let windows = curves.map { workload in
            let key = MachineCurveKey(
                machineID: prepared.machineID, implementation: submission.interpreter.implementation,
                interpreterVersion: submission.interpreter.version, benchmark: workload.benchmark,
                benchmarkVersion: workload.benchmarkVersion, procs: workload.procs, pypyGCMinPinned: pinned)
            let window = stored.first { $0.key == key }
            return CurveWindow(
                key: key, curve: CurveCombiner.appending(workload.curve, to: window?.curve),
                submissionCount: (window?.submissionCount ?? 0) + 1, revision: (window?.revision ?? 0) + 1,
                updatedAt: StoreTime.date(
                    milliseconds: max(prepared.received, window.map { StoreTime.milliseconds($0.updatedAt) } ?? 0)))
        }
        try await Self.saveWindows(windows, on: connection, logger: logger)
        return windows
    }

    /// Inserts or replaces windows, in one statement.
    static func saveWindows(_ windows: [CurveWindow], on connection: PostgresConnection, logger: Logger) async throws {
        guard !windows.isEmpty else { return }
        let keys = windows.map(\.key)
        let encoded = try windows.map { try EncodedCurve($0.curve) }
        try await connection.query(
            """
            INSERT INTO curve_windows (machine_id, implementation, interpreter_version, benchmark, benchmark_version,
                procs, pypy_gc_min_pinned, submission_count, default_nursery_bytes, nurseries, round_ids, round_ratios,
                revision, updated_at)
            SELECT * FROM unnest(\(keys.map(\.machineID))::text[], \(keys.map(\.implementation))::text[],
                \(keys.map(\.interpreterVersion))::text[], \(keys.map(\.benchmark))::text[],
                \(keys.map(\.benchmarkVersion))::text[], \(keys.map(\.procs))::bigint[],
                \(keys.map(\.pypyGCMinPinned))::boolean[], \(windows.map(\.submissionCount))::bigint[],
                \(NullableArray(windows.map(\.curve.defaultNurseryBytes)))::bigint[],
                \(encoded.map(\.nurseries))::bytea[], \(encoded.map(\.roundIDs))::bytea[],
                \(encoded.map(\.roundRatios))::bytea[], \(windows.map(\.revision))::bigint[],
                \(windows.map { StoreTime.milliseconds($0.updatedAt) })::bigint[])
            ON CONFLICT (machine_id, implementation, interpreter_version, benchmark, benchmark_version, procs,
                pypy_gc_min_pinned)
            DO UPDATE SET submission_count = EXCLUDED.submission_count,
                default_nursery_bytes = EXCLUDED.default_nursery_bytes, nurseries = EXCLUDED.nurseries,
                round_ids = EXCLUDED.round_ids, round_ratios = EXCLUDED.round_ratios, revision = EXCLUDED.revision,
                updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Rebuilds every window of `machineID` from the curves that remain visible (after a
    /// deletion, a quarantine or a release), in the caller's transaction, exactly as
    /// `SQLiteResultStore` does: a key with no visible curve left loses its window and its
    /// summary; the others get a new revision, which marks their summaries as behind.
    static func rebuildWindows(machineID: String, on connection: PostgresConnection, logger: Logger) async throws {
        let revisions = try await rows(
            connection,
            """
            SELECT k.implementation, k.interpreter_version, k.benchmark, k.benchmark_version, k.procs,
                k.pypy_gc_min_pinned, coalesce(w.revision, 0) AS revision
            FROM (
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM curve_windows WHERE machine_id = \(machineID)
                UNION
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM machine_curves WHERE machine_id = \(machineID)
                UNION
                SELECT implementation, interpreter_version, benchmark, benchmark_version, procs, pypy_gc_min_pinned
                FROM curves WHERE machine_id = \(machineID)) AS k
            LEFT JOIN curve_windows w ON w.machine_id = \(machineID) AND w.implementation = k.implementation
                AND w.interpreter_version = k.interpreter_version AND w.benchmark = k.benchmark
                AND w.benchmark_version = k.benchmark_version AND w.procs = k.procs
                AND w.pypy_gc_min_pinned = k.pypy_gc_min_pinned
            """, logger: logger
        ).map { row in
            (key: try machineCurveKey(row, machineID: machineID), revision: try row["revision"].decode(Int64.self))
        }
        // Every visible curve of the machine, in insertion order, grouped by key below.
        let visible = try await rows(
            connection,
            """
            SELECT c.implementation, c.interpreter_version, c.benchmark, c.benchmark_version, c.procs,
                c.pypy_gc_min_pinned, c.submission_id, c.received_at, c.default_nursery_bytes, c.nurseries,
                c.round_ids, c.round_ratios
            FROM curves c JOIN submissions s ON s.id = c.submission_id LEFT JOIN installs n ON n.id = s.install_id
            WHERE c.machine_id = \(machineID) AND NOT s.quarantined AND NOT coalesce(n.quarantined, FALSE)
            ORDER BY c.id
            """, logger: logger)
        var curvesByKey: [MachineCurveKey: [(submission: String, received: Int64, curve: Curve)]] = [:]
        for row in visible {
            let key = try machineCurveKey(row, machineID: machineID)
            curvesByKey[key, default: []].append(
                (
                    try row["submission_id"].decode(String.self), try row["received_at"].decode(Int64.self),
                    try curve(row)
                ))
        }
        var rebuilt: [CurveWindow] = []
        var emptied: [MachineCurveKey] = []
        for (key, revision) in revisions {
            guard let curves = curvesByKey[key], !curves.isEmpty else {
                emptied.append(key)
                continue
            }
            rebuilt.append(
                CurveWindow(
                    key: key, curve: CurveCombiner.window(CurveCombiner.combine(curves.map(\.curve))),
                    submissionCount: Set(curves.map(\.submission)).count, revision: revision + 1,
                    updatedAt: StoreTime.date(milliseconds: curves.map(\.received).max() ?? 0)))
        }
        try await saveWindows(rebuilt, on: connection, logger: logger)
        for table in ["curve_windows", "machine_curves"] {
            for key in emptied {
                try await connection.query(
                    """
                    DELETE FROM \(unescaped: table) WHERE machine_id = \(key.machineID)
                        AND implementation = \(key.implementation) AND interpreter_version = \(key.interpreterVersion)
                        AND benchmark = \(key.benchmark) AND benchmark_version = \(key.benchmarkVersion)
                        AND procs = \(key.procs) AND pypy_gc_min_pinned = \(key.pypyGCMinPinned)
                    """, logger: logger)
            }
        }
    }

    // MARK: Row mapping

    /// The key columns of a `machine_curves`, `curve_windows` or `curves` row.
    static func machineCurveKey(_ row: PostgresRandomAccessRow, machineID: String? = nil) throws -> MachineCurveKey {
        MachineCurveKey(
            machineID: try machineID ?? row["machine_id"].decode(String.self),
            implementation: try row["implementation"].decode(String.self),
            interpreterVersion: try row["interpreter_version"].decode(String.self),
            benchmark: try row["benchmark"].decode(String.self),
            benchmarkVersion: try row["benchmark_version"].decode(String.self),
            procs: try row["procs"].decode(Int.self), pypyGCMinPinned: try row["pypy_gc_min_pinned"].decode(Bool.self))
    }

    /// The packed curve columns of a `curves` or `curve_windows` row.
    static func curve(_ row: PostgresRandomAccessRow) throws -> Curve {
        Curve(
            nurseries: try CurveBlob.int64s(data(row["nurseries"])),
            roundIDs: try CurveBlob.rounds(data(row["round_ids"])),
            roundRatios: try CurveBlob.doubles(data(row["round_ratios"])),
            defaultNurseryBytes: try row["default_nursery_bytes"].decode(Int64?.self))
    }

    /// A `curve_windows` row.
    static func curveWindow(_ row: PostgresRandomAccessRow) throws -> CurveWindow {
        CurveWindow(
            key: try machineCurveKey(row), curve: try curve(row),
            submissionCount: try row["submission_count"].decode(Int.self),
            revision: try row["revision"].decode(Int64.self), updatedAt: try date(row["updated_at"]))
    }
}

/// A curve's packed columns (``CurveBlob``, the same bytes as in SQLite), as `bytea` values.
struct EncodedCurve {
    var nurseries: ByteBuffer
    var roundIDs: ByteBuffer
    var roundRatios: ByteBuffer

    init(_ curve: Curve) throws {
        nurseries = ByteBuffer(bytes: CurveBlob.encode(curve.nurseries))
        roundIDs = ByteBuffer(bytes: try CurveBlob.encode(rounds: curve.roundIDs))
        roundRatios = ByteBuffer(bytes: CurveBlob.encode(curve.roundRatios))
    }
}
