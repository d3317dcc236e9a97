import CrowdspeedCore
import CrowdspeedStore
import Foundation

/// The open-data exports without HTTP: reads the store page by page and hands each page's text
/// to `write` before reading the next, so memory stays at one page whatever the database's size
/// and the first bytes go out as soon as the first page is read.
///
/// Formats: CSV (RFC 4180, a header row, `\r\n` line ends, empty fields for absent values) and
/// JSON Lines (one object per line, `null` for absent values). Pages are separate reads: a
/// submission stored or deleted while an export runs may or may not appear in it.
public struct Exporter: Sendable {
    /// The export formats.
    public enum Format: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    let store: any ExportStore
    /// Results (samples export) or curves (curves export) read per page.
    let pageSize: Int

    /// Creates an exporter over `store`; `pageSize` bounds each read (a result holds at most
    /// `SubmissionLimits.maxSamplesPerResult` samples, so a samples page holds at most
    /// `pageSize` times that many rows).
    public init(store: any ExportStore, pageSize: Int = 500) {
        self.store = store
        self.pageSize = max(1, pageSize)
    }

    /// The columns of the samples export, in order (CSV header and JSON key order).
    public static let sampleColumns = [
        "submission_id", "received_at", "source", "machine_id", "arch", "cpu_vendor", "cpu_model", "physical_cores",
        "logical_cpus", "memory_bytes", "l2_bytes", "l3_bytes", "cpuinfo_cache_bytes", "virtualized",
        "implementation", "interpreter_version", "benchmark", "benchmark_version", "procs", "nursery_bytes", "payload",
        "library", "round", "cpu_ms", "wall_ms", "max_rss_bytes", "foreign_load", "noisy", "failed",
    ]

    /// The columns of the curves export, in order.
    public static let curveColumns = [
        "machine_id", "arch", "cpu_vendor", "cpu_model", "physical_cores", "logical_cpus", "memory_bytes", "l2_bytes",
        "l3_bytes", "cpuinfo_cache_bytes", "virtualized", "implementation", "interpreter_version", "benchmark",
        "benchmark_version", "procs", "pypy_gc_min_pinned", "submission_count", "round_count",
        "default_nursery_bytes", "best_nursery_bytes", "best_relative_time", "interval_lower_bytes",
        "interval_upper_bytes", "interval_confidence", "gain_over_default", "points", "flat_set", "updated_at",
    ]

    /// Writes every visible sample matching `filter`; returns the number of rows written.
    @discardableResult
    public func samples(
        filter: ExportFilter, format: Format, write: (String) async throws -> Void
    ) async throws -> Int {
        if format == .csv { try await write(Self.csvLine(Self.sampleColumns.map { $0 })) }
        var cursor: Int64?
        var count = 0
        repeat {
            let page = try await store.exportSamples(filter: filter, after: cursor, limit: pageSize)
            var text = ""
            for row in page.rows {
                let values = Self.values(row)
                text += format == .csv ? Self.csvLine(values.map(\.csv)) : Self.jsonLine(Self.sampleColumns, values)
            }
            count += page.rows.count
            if !text.isEmpty { try await write(text) }
            cursor = page.next
        } while cursor != nil
        return count
    }

    /// Writes every visible machine curve summary matching `filter`; returns the number of rows.
    @discardableResult
    public func curves(filter: ExportFilter, format: Format, write: (String) async throws -> Void) async throws -> Int {
        if format == .csv { try await write(Self.csvLine(Self.curveColumns.map { $0 })) }
        var cursor: Int64?
        var count = 0
        repeat {
            let page = try await store.exportCurves(filter: filter, after: cursor, limit: pageSize)
            var text = ""
            for row in page.rows {
                let values = Self.values(row)
                text += format == .csv ? Self.csvLine(values.map(\.csv)) : Self.jsonLine(Self.curveColumns, values)
            }
            count += page.rows.count
            if !text.isEmpty { try await write(text) }
            cursor = page.next
        } while cursor != nil
        return count
    }

    // MARK: Values

    /// One exported value, rendered for either format.
    enum Value {
        case text(String?)
        case integer(Int64?)
        case number(Double?)
        case flag(Bool?)
        /// Already JSON (the curve's points and flat set): a JSON value in JSON Lines, its text in CSV.
        case json(String)

        /// The CSV field, unquoted.
        var csv: String {
            switch self {
            case .text(let value): value ?? ""
            case .integer(let value): value.map(String.init) ?? ""
            case .number(let value): value.map(Exporter.number) ?? ""
            case .flag(let value): value.map { $0 ? "true" : "false" } ?? ""
            case .json(let value): value
            }
        }

        /// The JSON value.
        var json: String {
            switch self {
            case .text(let value): value.map(Exporter.jsonString) ?? "null"
            case .integer(let value): value.map(String.init) ?? "null"
            case .number(let value): value.flatMap { $0.isFinite ? Exporter.number($0) : nil } ?? "null"
            case .flag(let value): value.map { $0 ? "true" : "false" } ?? "null"
            case .json(let value): value
            }
        }
    }

    static func machineValues(_ machine: ExportMachine) -> [Value] {
        [
            .text(machine.id), .text(machine.arch), .text(machine.cpuVendor), .text(machine.cpuModel),
            .integer(Int64(machine.physicalCores)), .integer(Int64(machine.logicalCPUs)), .integer(machine.memoryBytes),
            .integer(machine.l2Bytes), .integer(machine.l3Bytes), .integer(machine.cpuinfoCacheBytes),
            .flag(machine.virtualized),
        ]
    }

    static func values(_ row: ExportSampleRow) -> [Value] {
        [.text(row.submissionID.uuidString.lowercased()), .text(RFC3339.format(row.receivedAt)), .text(row.source)]
            + machineValues(row.machine)
            + [
                .text(row.implementation), .text(row.interpreterVersion), .text(row.benchmark),
                .text(row.benchmarkVersion), .integer(row.params.procs.map(Int64.init)),
                .integer(row.params.nurseryBytes), .text(row.params.payload), .text(row.params.library),
                .integer(Int64(row.sample.round)), .number(row.sample.cpuMs), .number(row.sample.wallMs),
                .integer(row.sample.maxRSSBytes), .number(row.sample.foreignLoad), .flag(row.sample.noisy),
                .flag(row.sample.failed),
            ]
    }

    static func values(_ row: ExportCurveRow) -> [Value] {
        machineValues(row.machine) + [
            .text(row.implementation), .text(row.interpreterVersion), .text(row.benchmark),
            .text(row.benchmarkVersion), .integer(Int64(row.procs)), .flag(row.pypyGCMinPinned),
            .integer(Int64(row.submissionCount)), .integer(Int64(row.roundCount)), .integer(row.defaultNurseryBytes),
            .integer(row.bestNurseryBytes), .number(row.bestRelativeTime), .integer(row.intervalLowerBytes),
            .integer(row.intervalUpperBytes), .number(row.intervalConfidence), .number(row.gainOverDefault),
            .json(row.pointsJSON), .json(row.flatSetJSON), .text(RFC3339.format(row.updatedAt)),
        ]
    }

    // MARK: Encoding

    /// A number as the shortest text that reads back to the same `Double` (`0.1`, `12.5`, `3.0`).
    static func number(_ value: Double) -> String { "\(value)" }

    /// One CSV record: fields joined by commas, each quoted when it holds a comma, a quote, a
    /// line break or leading/trailing space (quotes doubled inside), ended by CRLF (RFC 4180).
    public static func csvLine(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    /// One CSV field, quoted only when it must be.
    public static func csvField(_ field: String) -> String {
        let needsQuotes =
            field.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || field.first == " " || field.last == " "
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One JSON object on one line, keys in column order.
    static func jsonLine(_ columns: [String], _ values: [Value]) -> String {
        var line = "{"
        for (index, (column, value)) in zip(columns, values).enumerated() {
            if index > 0 { line += "," }
            line += jsonString(column) + ":" + value.json
        }
        return line + "}\n"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (the line
    /// separators U+2028/U+2029 too, so a line is safe to embed in JavaScript).
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}", "\u{2029}": out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
