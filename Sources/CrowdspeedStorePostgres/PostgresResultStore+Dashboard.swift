import CrowdspeedCore
import CrowdspeedStore
import Foundation
import PostgresNIO

/// The dashboard's reads on PostgreSQL, from the same aggregates as on SQLite
/// (`SQLiteResultStore+Dashboard.swift`) and with the same results: text is ordered bytewise
/// (`COLLATE "C"`, SQLite's BINARY) and NULLs are placed where SQLite places them (first when
/// ascending), so both backends list the same rows in the same order.
extension PostgresResultStore: DashboardStore {
    /// The counters maintained at ingest, deletion and moderation (zero before the first ingest).
    public func dashboardCounts() async throws -> DashboardCounts {
        try await rows("SELECT * FROM dashboard_counters WHERE id = 1").map { row in
            DashboardCounts(
                machines: try row.decoded("machines"), submissions: try row.decoded("submissions"),
                samples: try row.decoded("samples"), interpreters: try row.decoded("interpreters"),
                lastReceivedAt: try row.decoded("last_received_at", as: Int64?.self).map(StoreTime.date(milliseconds:)))
        }.first ?? DashboardCounts(machines: 0, submissions: 0, samples: 0, interpreters: 0, lastReceivedAt: nil)
    }

    /// The newest visible submissions by receipt, through the `submissions_received` index.
    public func latestSubmissions(limit: Int) async throws -> [LatestSubmission] {
        try await rows(
            """
            SELECT s.id, s.machine_id, s.source, s.received_at, s.sample_count, m.cpu_vendor, m.cpu_model,
                i.implementation, i.version
            FROM submissions s JOIN machines m ON m.id = s.machine_id JOIN interpreters i ON i.id = s.interpreter_id
            LEFT JOIN installs n ON n.id = s.install_id
            WHERE NOT \(unescaped: Self.effectiveQuarantine)
            ORDER BY s.received_at DESC, s.id COLLATE "C" LIMIT \(max(0, limit))
            """
        ).map { row in
            LatestSubmission(
                id: try Self.uuid(row["id"]), machineID: try row.decoded("machine_id"),
                cpuVendor: try row.decoded("cpu_vendor"), cpuModel: try row.decoded("cpu_model"),
                implementation: try row.decoded("implementation"), interpreterVersion: try row.decoded("version"),
                source: try Self.source(row["source"]),
                receivedAt: StoreTime.date(milliseconds: try row.decoded("received_at")),
                sampleCount: try row.decoded("sample_count"))
        }
    }

    /// The machines table: filtered case-insensitively (`ILIKE`; SQLite's `LIKE` ignores ASCII
    /// case), wildcards in the filter taken literally, sorted by a whitelisted column with unknown
    /// values last, ties broken by id so pages are stable.
    public func machineTable(_ query: MachineTableQuery) async throws -> [MachineTableRow] {
        let pattern = Self.likePattern(query.filter)
        let order = Self.orderExpression(query.sort)
        let sort = "\(order) \(query.descending ? "DESC" : "ASC") NULLS LAST, m.id COLLATE \"C\""
        // The best nursery shown is that of the machine's most recently updated PyPy gcbench
        // curve at one process (PYPY_GC_MIN not pinned).
        let curve = """
            LEFT JOIN LATERAL (
                SELECT x.best_nursery_bytes, x.gain_over_default FROM machine_curves x
                WHERE x.machine_id = m.id AND x.benchmark = 'gcbench' AND x.procs = 1 AND NOT x.pypy_gc_min_pinned
                ORDER BY x.updated_at DESC, x.interpreter_version COLLATE "C" DESC LIMIT 1) mc ON true
            """
        let columns = "m.*, mc.best_nursery_bytes AS table_best_nursery, mc.gain_over_default AS table_gain"
        // $1 the pattern (NULL for all), $2 the limit, $3 the offset. Sorted by a machines column,
        // the page is chosen first and only its rows look up their curve.
        let sql =
            query.sort.isCurveColumn
            ? """
            SELECT \(columns) FROM machines m \(curve) WHERE \(Self.tableFilter) ORDER BY \(sort) LIMIT $2 OFFSET $3
            """
            : """
            SELECT \(columns)
            FROM (SELECT m.* FROM machines m WHERE \(Self.tableFilter) ORDER BY \(sort) LIMIT $2 OFFSET $3) AS m \(curve)
            ORDER BY \(sort)
            """
        var binds = PostgresBindings()
        binds.append(pattern)
        binds.append(max(0, query.limit))
        binds.append(max(0, query.offset))
        return try await rows(PostgresQuery(unsafeSQL: sql, binds: binds)).map { row in
            MachineTableRow(
                summary: try Self.machineSummary(row), bestNurseryBytes: try row.decoded("table_best_nursery"),
                gainOverDefault: try row.decoded("table_gain"))
        }
    }

    /// How many machines the table lists under `filter`: the maintained count when unfiltered.
    public func machineCount(filter: String?) async throws -> Int {
        // Unfiltered, the count is the maintained one; a search counts its matches.
        guard let pattern = Self.likePattern(filter) else { return try await dashboardCounts().machines }
        var binds = PostgresBindings()
        binds.append(pattern)
        return try await rows(
            PostgresQuery(unsafeSQL: "SELECT count(*) FROM machines m WHERE \(Self.tableFilter)", binds: binds)
        ).map { try $0[0].decode(Int.self) }.first ?? 0
    }

    public func resultSummaries(machineIDs: [String], benchmarks: Set<String>) async throws -> [ResultSummary] {
        guard !machineIDs.isEmpty, !benchmarks.isEmpty else { return [] }
        let machines = Array(Set(machineIDs)).sorted()
        let names = benchmarks.sorted()
        return try await rows(
            """
            SELECT rs.*, i.implementation, i.version FROM result_summaries rs
            JOIN interpreters i ON i.id = rs.interpreter_id
            WHERE rs.machine_id = ANY(\(machines)) AND rs.benchmark = ANY(\(names))
            ORDER BY rs.machine_id COLLATE "C", i.implementation COLLATE "C", i.version COLLATE "C",
                rs.benchmark COLLATE "C", rs.payload COLLATE "C" NULLS FIRST, rs.library COLLATE "C" NULLS FIRST,
                rs.procs NULLS FIRST, rs.nursery_bytes NULLS FIRST, rs.result_id
            """
        ).map { row in
            ResultSummary(
                machineID: try row.decoded("machine_id"),
                submissionID: try Self.uuid(row["submission_id"]),
                implementation: try row.decoded("implementation"), interpreterVersion: try row.decoded("version"),
                benchmark: try row.decoded("benchmark"), benchmarkVersion: try row.decoded("benchmark_version"),
                procs: try row.decoded("procs"), nurseryBytes: try row.decoded("nursery_bytes"),
                payload: try row.decoded("payload"), library: try row.decoded("library"),
                usableSamples: try row.decoded("usable_samples"), medianCPUMs: try row.decoded("median_cpu_ms"),
                medianWallMs: try row.decoded("median_wall_ms"))
        }
    }

    /// Default-setting, one-process timings per machine and interpreter version; when a machine
    /// ran the same variant several times, its newest submission counts.
    public func interpreterTimings(benchmarks: Set<String>) async throws -> [InterpreterTiming] {
        guard !benchmarks.isEmpty else { return [] }
        let names = benchmarks.sorted()
        let timings = try await rows(
            """
            SELECT rs.machine_id, i.implementation, i.version, rs.benchmark, rs.payload, rs.library, rs.median_cpu_ms
            FROM result_summaries rs
            JOIN interpreters i ON i.id = rs.interpreter_id
            JOIN submissions s ON s.id = rs.submission_id
            JOIN machines m ON m.id = rs.machine_id
            LEFT JOIN installs n ON n.id = s.install_id
            WHERE rs.benchmark = ANY(\(names)) AND NOT \(unescaped: Self.effectiveQuarantine)
              AND rs.nursery_bytes IS NULL AND coalesce(rs.procs, 1) = 1 AND rs.median_cpu_ms IS NOT NULL
            ORDER BY s.received_at DESC, rs.result_id
            """
        ).map { row in
            InterpreterTiming(
                machineID: try row.decoded("machine_id"), implementation: try row.decoded("implementation"),
                interpreterVersion: try row.decoded("version"), benchmark: try row.decoded("benchmark"),
                payload: try row.decoded("payload"), library: try row.decoded("library"),
                medianCPUMs: try row.decoded("median_cpu_ms"))
        }
        var seen = Set<[String]>()
        return timings.filter { timing in
            seen.insert([
                timing.machineID, timing.implementation, timing.interpreterVersion, timing.benchmark,
                timing.payload ?? "", timing.library ?? "",
            ]).inserted
        }
    }

    // MARK: SQL pieces

    /// The machines the table lists (``visibleMachine``) that match the ILIKE pattern `$1`
    /// (NULL for all).
    static let tableFilter = """
        \(visibleMachine)
        AND ($1::text IS NULL OR m.cpu_vendor ILIKE $1 ESCAPE '\\' OR m.cpu_model ILIKE $1 ESCAPE '\\'
            OR m.arch ILIKE $1 ESCAPE '\\')
        """

    /// The ILIKE pattern of a table filter: its text anywhere, taken literally; nil for none.
    static func likePattern(_ filter: String?) -> String? {
        guard let filter, !filter.isEmpty else { return nil }
        var escaped = ""
        for character in filter {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// The SQL expression a sort key orders by.
    private static func orderExpression(_ key: MachineTableQuery.SortKey) -> String {
        switch key {
        case .vendor: "m.cpu_vendor COLLATE \"C\""
        case .model: "m.cpu_model COLLATE \"C\""
        case .l2: "m.l2_bytes"
        case .l3: "m.l3_bytes"
        case .cores: "m.physical_cores"
        case .runs: "m.submission_count"
        case .seen: "m.last_seen"
        case .best: "mc.best_nursery_bytes"
        case .gain: "mc.gain_over_default"
        }
    }
}

extension MachineTableQuery.SortKey {
    /// Whether the sort column comes from the machine's curve rather than its own row.
    fileprivate var isCurveColumn: Bool { self == .best || self == .gain }
}
