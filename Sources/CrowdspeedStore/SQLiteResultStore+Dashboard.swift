import CrowdspeedCore
import Foundation
import GRDB

extension SQLiteResultStore: DashboardStore {
    /// Counts from the `machines` and `submissions` rows (sample counts are kept per submission).
    /// Only what the machines API lists counts: quarantine of a submission, its machine or its
    /// install hides it, and a machine with no visible submission is hidden with them — so the
    /// machines are counted in the same pass, as the distinct machines of visible submissions.
    public func dashboardCounts() async throws -> DashboardCounts {
        try await writer.read { db in try Self.dashboardCounters(db) }
    }

    /// The newest submissions by receipt, through the `submissions_received` index.
    public func latestSubmissions(limit: Int) async throws -> [LatestSubmission] {
        try await writer.read { db -> [LatestSubmission] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.machine_id, s.source, s.received_at, s.sample_count, m.cpu_vendor, m.cpu_model,
                        i.implementation, i.version
                    FROM submissions s JOIN machines m ON m.id = s.machine_id JOIN interpreters i ON i.id = s.interpreter_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE NOT \(Self.effectiveQuarantine)
                    ORDER BY s.received_at DESC, s.id LIMIT ?
                    """, arguments: [max(0, limit)]
            ).map { row in
                LatestSubmission(
                    id: try Self.uuid(row["id"]), machineID: row["machine_id"], cpuVendor: row["cpu_vendor"],
                    cpuModel: row["cpu_model"], implementation: row["implementation"],
                    interpreterVersion: row["version"],
                    source: try Self.source(row["source"]),
                    receivedAt: StoreTime.date(milliseconds: row["received_at"]),
                    sampleCount: row["sample_count"])
            }
        }
    }

    /// The machines table: filtered with `LIKE` (wildcards in the filter are taken literally),
    /// sorted by a whitelisted column with unknown values last, ties broken by id so pages are
    /// stable.
    public func machineTable(_ query: MachineTableQuery) async throws -> [MachineTableRow] {
        let pattern = Self.likePattern(query.filter)
        let order = Self.orderExpression(query.sort)
        let direction = query.descending ? "DESC" : "ASC"
        // The best nursery shown is that of the machine's most recently updated PyPy gcbench
        // curve at one process (PYPY_GC_MIN not pinned), from the fitting aggregates.
        let curve = """
            LEFT JOIN machine_curves mc ON mc.rowid = (
                SELECT x.rowid FROM machine_curves x
                WHERE x.machine_id = m.id AND x.benchmark = 'gcbench' AND x.procs = 1 AND x.pypy_gc_min_pinned = 0
                ORDER BY x.updated_at DESC, x.interpreter_version DESC LIMIT 1)
            """
        // Nullable sort keys go last whatever the direction; spelled only where a key can be
        // NULL, because the extra term keeps SQLite from walking an index in order.
        let sort = "\(query.sort.isNullable ? "(\(order)) IS NULL, " : "")\(order) \(direction), m.id"
        let columns = "m.*, mc.best_nursery_bytes AS table_best_nursery, mc.gain_over_default AS table_gain"
        // Sorted by a machines column, the page is chosen first and only its rows look up their
        // curve; joined first, every machine would (measured: 1.6 s for 2000 of 100k machines).
        let sql =
            query.sort.isCurveColumn
            ? "SELECT \(columns) FROM machines m \(curve) WHERE \(Self.tableFilter) ORDER BY \(sort) LIMIT ?2 OFFSET ?3"
            : """
            SELECT \(columns)
            FROM (SELECT m.* FROM machines m WHERE \(Self.tableFilter) ORDER BY \(sort) LIMIT ?2 OFFSET ?3) AS m \(curve)
            ORDER BY \(sort)
            """
        return try await writer.read { db -> [MachineTableRow] in
            try Row.fetchAll(db, sql: sql, arguments: [pattern, max(0, query.limit), max(0, query.offset)]).map { row in
                MachineTableRow(
                    summary: Self.machineSummary(row), bestNurseryBytes: row["table_best_nursery"],
                    gainOverDefault: row["table_gain"])
            }
        }
    }

    public func machineCount(filter: String?) async throws -> Int {
        let pattern = Self.likePattern(filter)
        return try await writer.read { db in
            // Unfiltered, the count is the maintained one; a search counts its matches.
            guard let pattern else { return try Self.dashboardCounters(db).machines }
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM machines m WHERE \(Self.tableFilter)", arguments: [pattern]) ?? 0
        }
    }

    /// The machines the table lists (`visibleMachine`: a machine whose every submission is
    /// quarantined, directly or through its install, is hidden like a quarantined one) that
    /// match the LIKE pattern `?1` (NULL for all).
    static let tableFilter = """
        \(visibleMachine)
        AND (?1 IS NULL OR m.cpu_vendor LIKE ?1 ESCAPE '\\' OR m.cpu_model LIKE ?1 ESCAPE '\\' OR m.arch LIKE ?1 ESCAPE '\\')
        """

    /// The LIKE pattern of a table filter: its text anywhere, taken literally; nil for none.
    static func likePattern(_ filter: String?) -> String? {
        filter.flatMap { $0.isEmpty ? nil : "%" + likeEscaped($0) + "%" }
    }

    public func resultSummaries(machineIDs: [String], benchmarks: Set<String>) async throws -> [ResultSummary] {
        guard !machineIDs.isEmpty, !benchmarks.isEmpty else { return [] }
        let machines = Array(Set(machineIDs))
        let names = benchmarks.sorted()
        return try await writer.read { db -> [ResultSummary] in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT rs.*, i.implementation, i.version FROM result_summaries rs
                    JOIN interpreters i ON i.id = rs.interpreter_id
                    WHERE rs.machine_id IN (\(Self.placeholders(machines.count)))
                      AND rs.benchmark IN (\(Self.placeholders(names.count)))
                    ORDER BY rs.machine_id, i.implementation, i.version, rs.benchmark, rs.payload, rs.library,
                        rs.procs, rs.nursery_bytes, rs.result_id
                    """, arguments: StatementArguments(machines + names)
            ).map { row in
                ResultSummary(
                    machineID: row["machine_id"], submissionID: try Self.uuid(row["submission_id"]),
                    implementation: row["implementation"], interpreterVersion: row["version"],
                    benchmark: row["benchmark"],
                    benchmarkVersion: row["benchmark_version"], procs: row["procs"], nurseryBytes: row["nursery_bytes"],
                    payload: row["payload"], library: row["library"], usableSamples: row["usable_samples"],
                    medianCPUMs: row["median_cpu_ms"], medianWallMs: row["median_wall_ms"])
            }
        }
    }

    /// Default-setting, one-process timings per machine and interpreter version; when a machine
    /// ran the same variant several times, its newest submission counts.
    public func interpreterTimings(benchmarks: Set<String>) async throws -> [InterpreterTiming] {
        guard !benchmarks.isEmpty else { return [] }
        let names = benchmarks.sorted()
        return try await writer.read { db -> [InterpreterTiming] in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rs.machine_id, i.implementation, i.version, rs.benchmark, rs.payload, rs.library, rs.median_cpu_ms
                    FROM result_summaries rs
                    JOIN interpreters i ON i.id = rs.interpreter_id
                    JOIN submissions s ON s.id = rs.submission_id
                    JOIN machines m ON m.id = rs.machine_id
                    LEFT JOIN installs n ON n.id = s.install_id
                    WHERE rs.benchmark IN (\(Self.placeholders(names.count)))
                      AND NOT \(Self.effectiveQuarantine)
                      AND rs.nursery_bytes IS NULL AND coalesce(rs.procs, 1) = 1 AND rs.median_cpu_ms IS NOT NULL
                    ORDER BY s.received_at DESC, rs.result_id
                    """, arguments: StatementArguments(names))
            var seen = Set<[String]>()
            var timings: [InterpreterTiming] = []
            for row in rows {
                let timing = InterpreterTiming(
                    machineID: row["machine_id"], implementation: row["implementation"],
                    interpreterVersion: row["version"],
                    benchmark: row["benchmark"], payload: row["payload"], library: row["library"],
                    medianCPUMs: row["median_cpu_ms"])
                let key = [
                    timing.machineID, timing.implementation, timing.interpreterVersion, timing.benchmark,
                    timing.payload ?? "", timing.library ?? "",
                ]
                if seen.insert(key).inserted { timings.append(timing) }
            }
            return timings
        }
    }

    // MARK: SQL helpers

    /// The SQL expression a sort key orders by. Only these fixed strings ever reach the SQL text.
    static func orderExpression(_ key: MachineTableQuery.SortKey) -> String {
        switch key {
        case .vendor: "m.cpu_vendor"
        case .model: "m.cpu_model"
        case .l2: "m.l2_bytes"
        case .l3: "m.l3_bytes"
        case .cores: "m.physical_cores"
        case .runs: "m.submission_count"
        case .seen: "m.last_seen"
        case .best: "mc.best_nursery_bytes"
        case .gain: "mc.gain_over_default"
        }
    }

    /// `text` with `LIKE`'s wildcards and the escape character escaped by `\`.
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// `?, ?, …` for an `IN` list of `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension MachineTableQuery.SortKey {
    /// Whether the sort column can be NULL (caches a machine does not report, curves it lacks).
    var isNullable: Bool { [.l2, .l3, .best, .gain].contains(self) }
    /// Whether the sort column comes from the machine's curve rather than its own row.
    var isCurveColumn: Bool { self == .best || self == .gain }
}
