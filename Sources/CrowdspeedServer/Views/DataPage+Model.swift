import CrowdspeedCore
import CrowdspeedPipeline
import CrowdspeedStore
import Foundation

/// The data page (`/data`): the export links and what every column means.
struct DataPageModel: Sendable {
    /// One column of an export and its meaning.
    struct Column: Sendable {
        var name: String
        var meaning: String
    }

    /// The published snapshot, as the page shows it.
    struct Snapshot: Sendable {
        var date: String
        var size: String
        var sha256: String
        var machines: Int
        var submissions: Int
    }

    var page: PageLayout
    var sampleColumns: [Column]
    var curveColumns: [Column]
    /// Whether this server publishes a snapshot at all.
    var publishesSnapshot: Bool
    /// The snapshot on offer; nil before the first one (or when none is published).
    var snapshot: Snapshot?

    /// Creates the model; the column lists come from ``Exporter`` so the page cannot drift from
    /// the files.
    init(site: SiteSettings, snapshots: SnapshotShelf?) {
        page = PageLayout(title: "Data", section: .data, site: site)
        publishesSnapshot = snapshots != nil
        snapshot = snapshots?.snapshot.map { published in
            Snapshot(
                date: RFC3339.format(published.createdAt),
                size: ByteCountFormatter.string(fromByteCount: published.bytes, countStyle: .file),
                sha256: published.sha256, machines: published.contents.machines,
                submissions: published.contents.submissions)
        }
        sampleColumns = Exporter.sampleColumns.map { Column(name: $0, meaning: Self.meanings[$0] ?? "") }
        curveColumns = Exporter.curveColumns.map { Column(name: $0, meaning: Self.meanings[$0] ?? "") }
    }

    /// The data dictionary.
    static let meanings: [String: String] = [
        "submission_id": "The agent run's id (UUID).",
        "received_at": "When the server received the run (RFC 3339, UTC).",
        "source": "agent, import or synthetic (simulated; never used for real formulas).",
        "machine_id": "Derived from stable hardware facts only; never from names.",
        "arch": "CPU architecture (x86_64, aarch64, …).",
        "cpu_vendor": "CPU vendor string.",
        "cpu_model": "CPU model name.",
        "physical_cores": "Physical cores.",
        "logical_cpus": "Logical CPUs (hardware threads).",
        "memory_bytes": "Installed memory in bytes.",
        "l2_bytes": "Largest data or unified L2 cache in bytes (empty: none reported).",
        "l3_bytes": "Largest data or unified L3 cache in bytes (empty: none reported).",
        "cpuinfo_cache_bytes": "The /proc/cpuinfo \"cache size\" PyPy's own rule reads, in bytes.",
        "virtualized": "Whether the machine reported running under a hypervisor.",
        "implementation": "Interpreter implementation (PyPy, CPython).",
        "interpreter_version": "Interpreter version.",
        "benchmark": "gcbench, json.dumps or json.loads.",
        "benchmark_version": "Version of the benchmark script; part of every result's key.",
        "procs": "Identical processes run together (gcbench).",
        "nursery_bytes": "PYPY_GC_NURSERY in bytes; empty means the interpreter's own default.",
        "payload": "JSON benchmark payload.",
        "library": "JSON library (json, simplejson).",
        "round": "The measured round (0-based; warm-up rounds are not sent).",
        "cpu_ms": "User + system CPU time of the sample, in milliseconds.",
        "wall_ms": "Wall-clock time of the sample, in milliseconds.",
        "max_rss_bytes": "Peak resident memory of the sample's process, in bytes.",
        "foreign_load": "Share of the machine's CPU used by other work during the sample, 0 to 1.",
        "noisy": "Flagged by the agent as disturbed by foreign load (kept, not dropped).",
        "failed": "The sample's process crashed or printed no result.",
        "pypy_gc_min_pinned": "Whether PYPY_GC_MIN was set (such curves are not fitted).",
        "submission_count": "Runs combined into this curve.",
        "round_count": "Rounds in the curve's window.",
        "default_nursery_bytes": "The nursery PyPy chose by default on this machine, in bytes.",
        "best_nursery_bytes": "The size with the lowest median relative CPU time.",
        "best_relative_time": "That time relative to the default setting's (below 1 is faster).",
        "interval_lower_bytes": "Lower end of the bootstrap interval of the best size.",
        "interval_upper_bytes": "Upper end of that interval.",
        "interval_confidence": "The interval's confidence level.",
        "gain_over_default": "T(default) / T(best) − 1.",
        "points": "JSON: per nursery size, the median CPU time relative to the default, and its rounds.",
        "flat_set": "JSON: every size within 2% of the best.",
        "updated_at": "When the curve summary was last computed.",
    ]
}
